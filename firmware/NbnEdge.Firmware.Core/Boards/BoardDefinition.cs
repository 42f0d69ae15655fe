namespace NbnEdge.Firmware.Boards
{
    /// <summary>
    /// One supported board: pins, converter settings and the analogue front end's scaling. Mirrors
    /// boards/&lt;Id&gt;/board.json field for field (a test keeps the two equal). Decimal scalings
    /// are kept as exact decimal text: that is what HELLO sends and what the host parses.
    /// </summary>
    public sealed class BoardDefinition
    {
        /// <summary>Board id, the folder name under boards/.</summary>
        public string Id;
        /// <summary>Microcontroller ("ESP32", "ESP32-S3").</summary>
        public string Mcu;
        /// <summary>nanoFramework SPI bus number (1 = SPI1).</summary>
        public int SpiBusId;
        /// <summary>GPIO of SPI MOSI (ADC DIN).</summary>
        public int PinMosi;
        /// <summary>GPIO of SPI MISO (ADC DOUT).</summary>
        public int PinMiso;
        /// <summary>GPIO of SPI clock (ADC SCLK).</summary>
        public int PinSck;
        /// <summary>GPIO of the ADC's chip select (active low).</summary>
        public int PinCs;
        /// <summary>GPIO of the ADC's DRDY output (active low).</summary>
        public int PinDrdy;
        /// <summary>GPIO of the ADC's SYNC/RESET input (active low).</summary>
        public int PinSyncReset;
        /// <summary>GPIO driving CLKIN, or −1 when a crystal oscillator on the board does.</summary>
        public int PinClkIn;
        /// <summary>GPIO of COM2 TX (data to the host).</summary>
        public int PinUartTx;
        /// <summary>GPIO of COM2 RX (commands from the host).</summary>
        public int PinUartRx;
        /// <summary>Data UART baud rate.</summary>
        public int UartBaud;
        /// <summary>Frequency at the ADC's CLKIN in Hz.</summary>
        public int AdcClockHz;
        /// <summary>Oversampling ratio.</summary>
        public int Osr;
        /// <summary>PGA gain of channel 0 (bias monitor).</summary>
        public int GainBias;
        /// <summary>PGA gain of channel 1 (lock-in X).</summary>
        public int GainSignal;
        /// <summary>
        /// Front-end attenuation: the divider/buffer divides the connector voltage by this before
        /// the ADC (10: ±10 V at the connector is ±1 V at the ADC, inside its ±1.2 V).
        /// </summary>
        public int FrontEndAttenuation;
        /// <summary>
        /// Ratio of the bias monitor voltage to the tunnel-junction bias (1000: the STM's bias
        /// output, which the monitor reads, is divided by 1000 before the junction).
        /// </summary>
        public int BiasMonitorRatio;
        /// <summary>Channel 0 at the connector, µV per LSB (exact decimal).</summary>
        public string BiasMonitorUvPerLsb;
        /// <summary>Tunnel-junction bias per LSB of channel 0 in µV (HELLO bias_uV_per_lsb).</summary>
        public string BiasUvPerLsb;
        /// <summary>Channel 1 at the connector, µV per LSB (HELLO signal_uV_per_lsb).</summary>
        public string SignalUvPerLsb;

        /// <summary>Conversions per second: CLKIN / 2 / OSR (high-resolution mode).</summary>
        public int SampleRateHz
        {
            get { return AdcClockHz / 2 / Osr; }
        }
    }
}
