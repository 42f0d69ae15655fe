namespace NbnEdge.Firmware.Boards
{
    /// <summary>The boards in boards/, as C# constants the firmware is built with.</summary>
    public static class BoardDefinitions
    {
        // ±1.2 V full scale over 2^23 codes is 9375/65536 µV per LSB at the ADC pin: exact decimals follow.
        // Front end ÷10: 1.430511474609375 µV/LSB at the connector; bias monitor ÷1000 on top.
        private const string ConnectorUvPerLsb = "1.430511474609375";
        private const string JunctionUvPerLsb = "0.001430511474609375";

        /// <summary>ESP32 DevKitC (ESP32-WROVER: GPIO 16/17 belong to the PSRAM) with an ADS131M04 front end.</summary>
        public static BoardDefinition Esp32DevKitC()
        {
            BoardDefinition b = new BoardDefinition();
            b.Id = "esp32-devkitc-ads131m04";
            b.Mcu = "ESP32";
            b.SpiBusId = 1;
            b.PinMosi = 23;
            b.PinMiso = 19;
            b.PinSck = 18;
            b.PinCs = 5;
            b.PinDrdy = 4;
            b.PinSyncReset = 22;
            b.PinClkIn = -1;
            b.PinUartTx = 26;
            b.PinUartRx = 27;
            SetCommon(b);
            return b;
        }

        /// <summary>ESP32-S3 DevKitC-1 with an ADS131M04 front end.</summary>
        public static BoardDefinition Esp32S3DevKitC()
        {
            BoardDefinition b = new BoardDefinition();
            b.Id = "esp32-s3-devkitc-ads131m04";
            b.Mcu = "ESP32-S3";
            b.SpiBusId = 1;
            b.PinMosi = 11;
            b.PinMiso = 13;
            b.PinSck = 12;
            b.PinCs = 10;
            b.PinDrdy = 9;
            b.PinSyncReset = 8;
            b.PinClkIn = -1;
            b.PinUartTx = 17;
            b.PinUartRx = 18;
            SetCommon(b);
            return b;
        }

        /// <summary>Every board, for lookups by id.</summary>
        public static BoardDefinition[] All()
        {
            return new BoardDefinition[] { Esp32DevKitC(), Esp32S3DevKitC() };
        }

        /// <summary>The board with <paramref name="id"/>, or null.</summary>
        public static BoardDefinition Find(string id)
        {
            BoardDefinition[] all = All();
            for (int i = 0; i < all.Length; i++)
            {
                if (all[i].Id == id)
                {
                    return all[i];
                }
            }

            return null;
        }

        private static void SetCommon(BoardDefinition b)
        {
            b.UartBaud = 921600;
            // No clock output in the nanoFramework API listings: an 8.192 MHz CMOS oscillator drives CLKIN.
            b.AdcClockHz = 8192000;
            // 1000 conversions per second: DRDY every millisecond, within reach of managed interrupt handling.
            b.Osr = 4096;
            b.GainBias = 1;
            b.GainSignal = 1;
            b.FrontEndAttenuation = 10;
            b.BiasMonitorRatio = 1000;
            b.BiasMonitorUvPerLsb = ConnectorUvPerLsb;
            b.BiasUvPerLsb = JunctionUvPerLsb;
            b.SignalUvPerLsb = ConnectorUvPerLsb;
        }
    }
}
