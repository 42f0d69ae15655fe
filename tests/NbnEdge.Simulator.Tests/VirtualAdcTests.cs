using NbnEdge.Firmware.Adc;
using NbnEdge.Firmware.Boards;

namespace NbnEdge.Simulator.Tests;

[TestClass]
public sealed class VirtualAdcTests
{
    private sealed class ConstantInputs(params double[] volts) : IAnalogInputs
    {
        public int Samples;
        public double LastTime;

        public void Sample(double timeSeconds, Span<double> v)
        {
            Samples++;
            LastTime = timeSeconds;
            for (int i = 0; i < 4; i++) v[i] = volts[i];
        }
    }

    private static (VirtualAds131m04 Adc, SimulatedClock Clock, ConstantInputs Inputs) Make(params double[] volts)
    {
        var clock = new SimulatedClock();
        var inputs = new ConstantInputs(volts);
        return (new VirtualAds131m04(clock, inputs, 8_192_000), clock, inputs);
    }

    [TestMethod]
    public void FirmwareDriver_InitialisesTheVirtualChip_AsTheDatasheetSays()
    {
        var (adc, _, _) = Make(0, 0, 0, 0);
        var driver = new Ads131m04Driver(adc);
        Assert.IsTrue(driver.Initialize(4096, 1, 1), driver.LastError);
        Assert.AreEqual(Ads131m04.ClockRegister(0x3, 4096), adc.Registers[Ads131m04.RegisterClock]);
        Assert.AreEqual(Ads131m04.ModeWordLength24 | Ads131m04.ModeSpiTimeout, adc.Registers[Ads131m04.RegisterMode]);
        Assert.AreEqual(0x2400, adc.Registers[Ads131m04.RegisterId] & 0xFF00);
        Assert.AreEqual(0u, driver.CrcErrors);
        Assert.AreEqual(1_000_000, adc.ConversionPeriodNs, "8.192 MHz / 2 / 4096 = 1000 conversions per second");
    }

    [TestMethod]
    public void DataFrames_CarryScaledCodesAndAValidCrc16_OnTheSimulatedClock()
    {
        var (adc, clock, inputs) = Make(0.5, -0.25, 1.5, 0.1);
        var driver = new Ads131m04Driver(adc);
        Assert.IsTrue(driver.Initialize(4096, 1, 2));
        var sample = new AdcSample();
        long start = clock.Nanoseconds;
        for (int i = 0; i < 10; i++)
        {
            Assert.AreEqual(Ads131m04Driver.ReadOk, driver.ReadSample(sample, 10));
            // The firmware's table CRC agrees with the chip's bitwise one on every frame.
            Assert.IsTrue(Ads131m04.FrameCrcMatches(driver.LastFrame));
        }

        Assert.AreEqual(10, inputs.Samples);
        Assert.AreEqual(10_000_000, clock.Nanoseconds - start, 1_000_000, "ten conversions take ten simulated ms");
        Assert.AreEqual((int)Math.Round(0.5 / 1.2 * 8388608), sample.Codes[0]);
        Assert.AreEqual((int)Math.Round(-0.25 * 2 / 1.2 * 8388608), sample.Codes[1], "channel 1 at gain 2");
        Assert.AreEqual(0, sample.Codes[2], "channel 2 is disabled by the driver");
        Assert.IsFalse(AdcStatusWord.ResetOccurred(sample.Status));
        Assert.AreEqual(24, AdcStatusWord.WordLengthBits(sample.Status));
        Assert.AreEqual(0x3, AdcStatusWord.DataReadyMask(sample.Status) & 0x3);
    }

    [TestMethod]
    public void Overrange_ClampsAtFullScale()
    {
        var (adc, _, _) = Make(2.0, -2.0, 0, 0);
        var driver = new Ads131m04Driver(adc);
        Assert.IsTrue(driver.Initialize(4096, 1, 1));
        var sample = new AdcSample();
        Assert.AreEqual(Ads131m04Driver.ReadOk, driver.ReadSample(sample, 10));
        Assert.AreEqual(Ads131m04.MaxCode, sample.Codes[0]);
        Assert.AreEqual(Ads131m04.MinCode, sample.Codes[1]);
        Assert.IsTrue(Ads131m04.IsClipped(sample.Codes[0]));
    }

    [TestMethod]
    public void CorruptedCrc_IsCaughtByTheFirmware_AndMuteTimesOutOnSimulatedTime()
    {
        var (adc, clock, _) = Make(0.1, 0.1, 0, 0);
        var driver = new Ads131m04Driver(adc);
        Assert.IsTrue(driver.Initialize(4096, 1, 1));
        var sample = new AdcSample();
        adc.CorruptNextFrames = 1;
        Assert.AreEqual(Ads131m04Driver.ReadCrcError, driver.ReadSample(sample, 10));
        Assert.AreEqual(Ads131m04Driver.ReadOk, driver.ReadSample(sample, 10));
        adc.Mute = true;
        long before = clock.Nanoseconds;
        Assert.AreEqual(Ads131m04Driver.ReadTimeout, driver.ReadSample(sample, 10));
        Assert.AreEqual(10_000_000, clock.Nanoseconds - before);
        Assert.AreEqual(1u, driver.DrdyTimeouts);
        Assert.AreEqual(1u, driver.CrcErrors);
    }

    [TestMethod]
    public void UnreadConversions_AreOverwritten_AsInTheChip()
    {
        var (adc, clock, inputs) = Make(0.1, 0.1, 0, 0);
        var driver = new Ads131m04Driver(adc);
        Assert.IsTrue(driver.Initialize(4096, 1, 1));
        var sample = new AdcSample();
        driver.ReadSample(sample, 10);
        long conversions = adc.Conversions;
        int sampled = inputs.Samples;
        clock.Advance(5_500_000);
        long before = clock.Nanoseconds;
        Assert.AreEqual(Ads131m04Driver.ReadOk, driver.ReadSample(sample, 10), "data waiting: no wait");
        Assert.AreEqual(before, clock.Nanoseconds);
        Assert.AreEqual(conversions + 5, adc.Conversions);
        Assert.AreEqual(sampled + 1, inputs.Samples, "only the latest conversion is kept");
    }

    [TestMethod]
    public void WordLength16And32_AndAnsiCrc_AreModelled()
    {
        var (adc, _, _) = Make(0.6, -0.6, 0, 0);
        var driver = new Ads131m04Driver(adc);
        Assert.IsTrue(driver.Initialize(4096, 1, 1));
        int code = (int)Math.Round(0.6 / 1.2 * 8388608);

        // 32-bit words, sign-extended (WLENGTH = 11), ANSI CRC (CRC_TYPE = 1): the next frame already uses them.
        byte[] wreg = new byte[18];
        Ads131m04.WriteWord16(wreg, 0, Ads131m04.WriteRegisterCommand(2, 1));
        Ads131m04.WriteWord16(wreg, 1, 0x0300 | 0x0800 | 0x0010);
        byte[] rx = new byte[24];
        adc.TransferFrame(wreg, rx, 18);
        adc.WaitForDataReady(10);
        adc.TransferFrame(new byte[24], rx, 24);
        Assert.AreEqual(Ads131m04.WriteRegisterResponse(2, 1), (rx[0] << 8) | rx[1]);
        int ch1 = (rx[8] << 24) | (rx[9] << 16) | (rx[10] << 8) | rx[11];
        Assert.AreEqual(-code, ch1);
        int ch0 = (rx[4] << 24) | (rx[5] << 16) | (rx[6] << 8) | rx[7];
        Assert.AreEqual(code, ch0);
        Assert.AreEqual(AnsiCrc(rx, 20), (rx[20] << 8) | rx[21]);

        // 16-bit words (WLENGTH = 00): a 12-byte frame, top 16 bits of each code.
        byte[] tx = new byte[24];
        tx[0] = (byte)(Ads131m04.WriteRegisterCommand(2, 1) >> 8);
        tx[1] = (byte)Ads131m04.WriteRegisterCommand(2, 1);
        tx[4] = 0x00; tx[5] = 0x10; // at 32-bit words the data word starts at byte 4
        adc.TransferFrame(tx, rx, 24);
        adc.WaitForDataReady(10);
        adc.TransferFrame(new byte[12], rx, 12);
        Assert.AreEqual(Ads131m04.WriteRegisterResponse(2, 1), (rx[0] << 8) | rx[1]);
        adc.WaitForDataReady(10);
        adc.TransferFrame(new byte[12], rx, 12);
        Assert.AreEqual((short)(code >> 8), (short)((rx[2] << 8) | rx[3]));
        Assert.AreEqual(Crc16Ccitt.Compute(rx, 0, 10), (rx[10] << 8) | rx[11]);
    }

    [TestMethod]
    public void RegisterReadBack_AndResetResponse()
    {
        var (adc, _, _) = Make(0, 0, 0, 0);
        var driver = new Ads131m04Driver(adc);
        Assert.AreEqual(Ads131m04.ResponseReset, driver.Exchange(Ads131m04.CommandReset, -1));
        Assert.AreEqual(Ads131m04.ModeResetValue, driver.Exchange(Ads131m04.ReadRegisterCommand(2, 1), -1));
        Assert.AreEqual(Ads131m04.ClockResetValue, driver.Exchange(Ads131m04.ReadRegisterCommand(3, 1), -1));
        Assert.IsTrue(driver.WriteAndVerify(Ads131m04.RegisterGain1, 0x0011));
        // The ID register is read-only.
        driver.Exchange(Ads131m04.WriteRegisterCommand(0, 1), 0x1234);
        Assert.AreEqual(0x2400, driver.Exchange(Ads131m04.ReadRegisterCommand(0, 1), -1) & 0xFF00);
        Assert.IsTrue(driver.Initialize(4096, 1, 1), "and a full set-up afterwards");
    }

    private static int AnsiCrc(byte[] data, int count)
    {
        int crc = 0xFFFF;
        for (int i = 0; i < count; i++)
        {
            crc ^= data[i] << 8;
            for (int b = 0; b < 8; b++) crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x8005) & 0xFFFF : (crc << 1) & 0xFFFF;
        }

        return crc;
    }
}
