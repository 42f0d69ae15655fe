using NbnEdge.Firmware.Adc;
#if NANOFRAMEWORK_1_0
using nanoFramework.TestFramework;
#else
using Microsoft.VisualStudio.TestTools.UnitTesting;
#endif

namespace NbnEdge.Firmware.Tests
{
    [TestClass]
    public class AdcTests
    {
        [TestMethod]
        public void Crc16CheckValueOf123456789Is0x29B1()
        {
            byte[] data = new byte[] { 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39 };
            Assert.AreEqual(0x29B1, (int)Crc16Ccitt.Compute(data, 0, data.Length));
        }

        [TestMethod]
        public void Crc16MatchesValuesComputedBitwiseElsewhere()
        {
            // Values from an independent bitwise CRC-16/CCITT-FALSE (poly 0x1021, seed 0xFFFF).
            Assert.AreEqual(0xADAD, (int)Crc16Ccitt.Compute(new byte[] { 1, 2, 3 }, 0, 3));
            Assert.AreEqual(0xFFFF, (int)Crc16Ccitt.Compute(new byte[0], 0, 0));
            byte[] resetStatusFrame = new byte[15];
            resetStatusFrame[0] = 0x05;
            Assert.AreEqual(0x7B8D, (int)Crc16Ccitt.Compute(resetStatusFrame, 0, 15));
        }

        [TestMethod]
        public void Code24SignExtension()
        {
            Assert.AreEqual(-8388608, Ads131m04.DecodeCode24(0x80, 0x00, 0x00));
            Assert.AreEqual(8388607, Ads131m04.DecodeCode24(0x7F, 0xFF, 0xFF));
            Assert.AreEqual(-1, Ads131m04.DecodeCode24(0xFF, 0xFF, 0xFF));
            Assert.AreEqual(1, Ads131m04.DecodeCode24(0x00, 0x00, 0x01));
            Assert.AreEqual(0, Ads131m04.DecodeCode24(0x00, 0x00, 0x00));
            Assert.AreEqual(-256, Ads131m04.DecodeCode24(0xFF, 0xFF, 0x00));
        }

        [TestMethod]
        public void ClippingIsDetectedAtBothEnds()
        {
            Assert.IsTrue(Ads131m04.IsClipped(0x7FFFFF));
            Assert.IsTrue(Ads131m04.IsClipped(-0x800000));
            Assert.IsFalse(Ads131m04.IsClipped(0x7FFFFE));
            Assert.IsFalse(Ads131m04.IsClipped(-0x7FFFFF));
        }

        [TestMethod]
        public void CommandWordsFollowTheDatasheet()
        {
            Assert.AreEqual(0x0000, Ads131m04.CommandNull);
            Assert.AreEqual(0x0011, Ads131m04.CommandReset);
            Assert.AreEqual(0x0022, Ads131m04.CommandStandby);
            Assert.AreEqual(0x0033, Ads131m04.CommandWakeup);
            // RREG 101a aaaa annn nnnn, address 3 (CLOCK), one register: 1010 0001 1000 0000.
            Assert.AreEqual(0xA180, Ads131m04.ReadRegisterCommand(0x03, 1));
            // WREG 011a aaaa annn nnnn, address 4 (GAIN1), one register: 0110 0010 0000 0000.
            Assert.AreEqual(0x6200, Ads131m04.WriteRegisterCommand(0x04, 1));
            // WREG of two registers from MODE (2): 0110 0001 0000 0001.
            Assert.AreEqual(0x6101, Ads131m04.WriteRegisterCommand(0x02, 2));
            // Acknowledgement 010a aaaa ammm mmmm.
            Assert.AreEqual(0x4180, Ads131m04.WriteRegisterResponse(0x03, 1));
            Assert.AreEqual(0xFF24, Ads131m04.ResponseReset);
        }

        [TestMethod]
        public void RegisterFieldsReproduceResetValues()
        {
            // CLOCK resets to 0x0F0E: four channels on, OSR 1024, high resolution.
            Assert.AreEqual(0x0F0E, Ads131m04.ClockRegister(0xF, 1024));
            Assert.AreEqual(0x0316, Ads131m04.ClockRegister(0x3, 4096));
            Assert.AreEqual(0x001E, Ads131m04.ClockRegister(0x0, 16256));
            Assert.AreEqual(0x0000, Ads131m04.Gain1Register(1, 1, 1, 1));
            Assert.AreEqual(0x7321, Ads131m04.Gain1Register(2, 4, 8, 128));
            Assert.AreEqual(-1, Ads131m04.OsrCode(1000));
            Assert.AreEqual(-1, Ads131m04.GainCode(3));
            Assert.AreEqual(0x0510, Ads131m04.ModeResetFlag | Ads131m04.ModeWordLength24 | Ads131m04.ModeSpiTimeout);
            Assert.AreEqual(1000, Ads131m04.SampleRateHz(8192000, 4096));
            Assert.AreEqual(4000, Ads131m04.SampleRateHz(8192000, 1024));
        }

        [TestMethod]
        public void StatusWordFields()
        {
            Assert.IsTrue(AdcStatusWord.ResetOccurred(0x0500));
            Assert.IsFalse(AdcStatusWord.ResetOccurred(0x0100));
            Assert.AreEqual(24, AdcStatusWord.WordLengthBits(0x0500));
            Assert.AreEqual(16, AdcStatusWord.WordLengthBits(0x0000));
            Assert.AreEqual(32, AdcStatusWord.WordLengthBits(0x0300));
            Assert.AreEqual(0x5, AdcStatusWord.DataReadyMask(0x0105));
            Assert.IsTrue(AdcStatusWord.Locked(0x8000));
            Assert.IsTrue(AdcStatusWord.InputCrcError(0x1000));
            Assert.IsFalse(AdcStatusWord.AnsiCrc(0x0500));
        }

        [TestMethod]
        public void DataFrameDecodesAndBadCrcIsRejected()
        {
            byte[] frame = new byte[Ads131m04.FrameBytes];
            frame[0] = 0x01; frame[1] = 0x0F;
            frame[3] = 0x80; frame[4] = 0x00; frame[5] = 0x00;
            frame[6] = 0x7F; frame[7] = 0xFF; frame[8] = 0xFF;
            frame[9] = 0x00; frame[10] = 0x12; frame[11] = 0x34;
            frame[12] = 0xFF; frame[13] = 0xFF; frame[14] = 0xFE;
            int crc = FakeAds131m04.BitwiseCrc16(frame, 0, 15);
            frame[15] = (byte)(crc >> 8);
            frame[16] = (byte)crc;
            AdcSample sample = new AdcSample();
            Assert.IsTrue(Ads131m04.DecodeDataFrame(frame, sample));
            Assert.AreEqual(0x010F, sample.Status);
            Assert.AreEqual(-8388608, sample.Codes[0]);
            Assert.AreEqual(8388607, sample.Codes[1]);
            Assert.AreEqual(0x1234, sample.Codes[2]);
            Assert.AreEqual(-2, sample.Codes[3]);

            for (int bit = 0; bit < 15 * 8; bit++)
            {
                byte[] flipped = new byte[frame.Length];
                System.Array.Copy(frame, flipped, frame.Length);
                flipped[bit / 8] ^= (byte)(1 << (bit % 8));
                AdcSample untouched = new AdcSample();
                Assert.IsFalse(Ads131m04.DecodeDataFrame(flipped, untouched), "flip at bit " + bit.ToString());
                Assert.AreEqual(0, untouched.Codes[0]);
            }
        }

        [TestMethod]
        public void DriverInitialisesAndReadsBack()
        {
            FakeAds131m04 adc = new FakeAds131m04();
            Ads131m04Driver driver = new Ads131m04Driver(adc);
            Assert.IsTrue(driver.Initialize(4096, 1, 2), driver.LastError);
            Assert.AreEqual(1, adc.ResetPulses);
            Assert.AreEqual(0x0316, adc.Registers[Ads131m04.RegisterClock]);
            Assert.AreEqual(0x0010, adc.Registers[Ads131m04.RegisterGain1]);
            Assert.AreEqual(0x0110, adc.Registers[Ads131m04.RegisterMode]);
            Assert.IsFalse(AdcStatusWord.ResetOccurred(adc.Status()));
        }

        [TestMethod]
        public void DriverFailsWhenTheConverterIsSilent()
        {
            FakeAds131m04 adc = new FakeAds131m04();
            adc.Mute = true;
            Ads131m04Driver driver = new Ads131m04Driver(adc);
            Assert.IsFalse(driver.Initialize(4096, 1, 1));
            Assert.IsNotNull(driver.LastError);
        }

        [TestMethod]
        public void DriverCountsBadFramesAndTimeouts()
        {
            FakeAds131m04 adc = new FakeAds131m04();
            Ads131m04Driver driver = new Ads131m04Driver(adc);
            Assert.IsTrue(driver.Initialize(4096, 1, 1));
            adc.BiasSequence = new int[] { 100, -200, 300 };
            adc.SignalSequence = new int[] { -5, 6, -7 };
            AdcSample sample = new AdcSample();
            Assert.AreEqual(Ads131m04Driver.ReadOk, driver.ReadSample(sample, 10));
            Assert.AreEqual(100, sample.Codes[0]);
            Assert.AreEqual(-5, sample.Codes[1]);
            adc.CorruptNextDataFrame = true;
            Assert.AreEqual(Ads131m04Driver.ReadCrcError, driver.ReadSample(sample, 10));
            Assert.AreEqual(100, sample.Codes[0]);
            Assert.AreEqual(1, (int)driver.CrcErrors);
            Assert.AreEqual(Ads131m04Driver.ReadOk, driver.ReadSample(sample, 10));
            Assert.AreEqual(300, sample.Codes[0]);
            Assert.AreEqual(-7, sample.Codes[1]);
            Assert.AreEqual(Ads131m04Driver.ReadTimeout, driver.ReadSample(sample, 10));
            Assert.AreEqual(1, (int)driver.DrdyTimeouts);
        }
    }
}
