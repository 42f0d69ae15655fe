namespace NbnEdge.Firmware.Adc
{
    /// <summary>
    /// What the ADS131M04 driver needs from the hardware: whole-frame SPI transfers, the DRDY line
    /// and the SYNC/RESET pin. The nanoFramework app implements it with System.Device.Spi and a GPIO
    /// interrupt; a simulator implements it with a virtual converter that answers bit for bit.
    /// </summary>
    public interface IAdcTransport
    {
        /// <summary>
        /// Clocks out <paramref name="count"/> bytes of <paramref name="transmit"/> while reading as
        /// many into <paramref name="receive"/>, chip select held active for the whole frame (SPI mode 1).
        /// </summary>
        void TransferFrame(byte[] transmit, byte[] receive, int count);

        /// <summary>Waits until DRDY signals a new conversion; false after <paramref name="timeoutMs"/> without one.</summary>
        bool WaitForDataReady(int timeoutMs);

        /// <summary>Holds SYNC/RESET low long enough to reset the converter (at least 2048 CLKIN periods), then releases it.</summary>
        void PulseReset();
    }
}
