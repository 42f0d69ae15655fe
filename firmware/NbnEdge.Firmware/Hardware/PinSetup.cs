using nanoFramework.Hardware.Esp32;
using NbnEdge.Firmware.Boards;

namespace NbnEdge.Firmware.Hardware
{
    /// <summary>Routes the ESP32 peripherals to the board's pins (ESP32 has no fixed COM2 pins).</summary>
    public static class PinSetup
    {
        /// <summary>Sets SPI and COM2 pin functions from <paramref name="board"/>.</summary>
        public static void Apply(BoardDefinition board)
        {
            if (board.SpiBusId == 2)
            {
                Configuration.SetPinFunction(board.PinMosi, DeviceFunction.SPI2_MOSI);
                Configuration.SetPinFunction(board.PinMiso, DeviceFunction.SPI2_MISO);
                Configuration.SetPinFunction(board.PinSck, DeviceFunction.SPI2_CLOCK);
            }
            else
            {
                Configuration.SetPinFunction(board.PinMosi, DeviceFunction.SPI1_MOSI);
                Configuration.SetPinFunction(board.PinMiso, DeviceFunction.SPI1_MISO);
                Configuration.SetPinFunction(board.PinSck, DeviceFunction.SPI1_CLOCK);
            }

            Configuration.SetPinFunction(board.PinUartTx, DeviceFunction.COM2_TX);
            Configuration.SetPinFunction(board.PinUartRx, DeviceFunction.COM2_RX);
        }
    }
}
