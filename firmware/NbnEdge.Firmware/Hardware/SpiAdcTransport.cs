using System;
using System.Device.Gpio;
using System.Device.Spi;
using System.Threading;
using NbnEdge.Firmware.Adc;
using NbnEdge.Firmware.Boards;

namespace NbnEdge.Firmware.Hardware
{
    /// <summary>
    /// The ADS131M04 on the ESP32: SPI mode 1 through System.Device.Spi (SpanByte API), DRDY as a
    /// falling-edge GPIO interrupt that sets an event, SYNC/RESET as a GPIO output.
    /// </summary>
    public sealed class SpiAdcTransport : IAdcTransport
    {
        // The converter takes up to 25 MHz; 8 MHz keeps edges clean on jumper wires.
        private const int SpiClockHz = 8000000;

        private readonly SpiDevice _spi;
        private readonly GpioController _gpio = new GpioController();
        private readonly GpioPin _drdy;
        private readonly GpioPin _syncReset;
        private readonly AutoResetEvent _dataReady = new AutoResetEvent(false);

        /// <summary>Opens the SPI device and pins named by <paramref name="board"/>.</summary>
        public SpiAdcTransport(BoardDefinition board)
        {
            SpiConnectionSettings settings = new SpiConnectionSettings(board.SpiBusId, board.PinCs);
            settings.Mode = SpiMode.Mode1;
            settings.ClockFrequency = SpiClockHz;
            settings.DataBitLength = 8;
            settings.DataFlow = DataFlow.MsbFirst;
            settings.ChipSelectLineActiveState = PinValue.Low;
            _spi = SpiDevice.Create(settings);

            _syncReset = _gpio.OpenPin(board.PinSyncReset, PinMode.Output);
            _syncReset.Write(PinValue.High);

            _drdy = _gpio.OpenPin(board.PinDrdy, PinMode.InputPullUp);
            _drdy.ValueChanged += OnDrdyChanged;
        }

        /// <inheritdoc />
        public void TransferFrame(byte[] transmit, byte[] receive, int count)
        {
            _spi.TransferFullDuplex(new SpanByte(transmit, 0, count), new SpanByte(receive, 0, count));
        }

        /// <inheritdoc />
        public bool WaitForDataReady(int timeoutMs)
        {
            return _dataReady.WaitOne(timeoutMs, false);
        }

        /// <inheritdoc />
        public void PulseReset()
        {
            // Low for 1 ms: far beyond the 2048 CLKIN periods (250 µs at 8.192 MHz) a reset needs.
            _syncReset.Write(PinValue.Low);
            Thread.Sleep(1);
            _syncReset.Write(PinValue.High);
            // Let the converter finish its reset before the first command.
            Thread.Sleep(2);
            _dataReady.Reset();
        }

        private void OnDrdyChanged(object sender, PinValueChangedEventArgs e)
        {
            if (e.ChangeType == PinEventTypes.Falling)
            {
                _dataReady.Set();
            }
        }
    }
}
