using NbnEdge.Firmware.Boards;
using NbnEdge.Firmware.Device;
using NbnEdge.Firmware.Estimation;
using NbnEdge.Firmware.Protocol;
#if NANOFRAMEWORK_1_0
using nanoFramework.TestFramework;
#else
using Microsoft.VisualStudio.TestTools.UnitTesting;
#endif

namespace NbnEdge.Firmware.Tests
{
    public sealed class FakePlatform : IPlatform
    {
        public long Now = 12345;
        public int Reboots;

        public long UptimeMs
        {
            get { return Now; }
        }

        public uint FreeHeapBytes
        {
            get { return 54321; }
        }

        public void Reboot()
        {
            Reboots++;
        }
    }

    /// <summary>Captures what the device transmits, as the host would receive it.</summary>
    public sealed class CapturingSink : IByteSink
    {
        public readonly FrameDecoder Decoder = new FrameDecoder();
        public int Frames;
        public int[] Types = new int[64];
        public uint[] Seqs = new uint[64];
        public string LastHello;
        public int LastAckStatus = -1;
        public uint LastAckSeq;
        public string LastAckText;
        public int SpectrumPoints;
        public int SpectrumChunks;
        public bool SawLastChunk;
        public int EstimatesInvalid;
        public int[] Bias = new int[1024];

        public void Write(byte[] buffer, int offset, int count)
        {
            while (count > 0)
            {
                int used = Decoder.Feed(buffer, offset, count);
                offset += used;
                count -= used;
                if (!Decoder.FrameReady)
                {
                    continue;
                }

                DecodedFrame f = Decoder.Frame;
                if (Frames < Types.Length)
                {
                    Types[Frames] = f.Type;
                    Seqs[Frames] = f.Seq;
                }

                Frames++;
                if (f.Type == MessageType.Hello)
                {
                    LastHello = f.GetText();
                }
                else if (f.Type == MessageType.Ack)
                {
                    LastAckStatus = f.Ack.Status;
                    LastAckSeq = f.Ack.CommandSeq;
                    LastAckText = f.GetText();
                }
                else if (f.Type == MessageType.Spectrum)
                {
                    SpectrumChunks++;
                    for (int i = 0; i < f.Spectrum.Count; i++)
                    {
                        Bias[f.Spectrum.FirstIndex + i] = f.Spectrum.BiasCodes[i];
                    }

                    SpectrumPoints += f.Spectrum.Count;
                    SawLastChunk = f.Spectrum.LastChunk;
                }
                else if (f.Type == MessageType.Estimate && !f.Estimate.Valid)
                {
                    EstimatesInvalid++;
                }
            }
        }
    }

    [TestClass]
    public class DeviceTests
    {
        private static void Drain(NbnEdgeDevice device, CapturingSink sink)
        {
            byte[] scratch = new byte[MessageType.MaxEncodedFrameBytes];
            while (device.PumpTransmit(sink, scratch) > 0)
            {
            }
        }

        private static void SendCommand(NbnEdgeDevice device, FrameEncoder host, byte type, string text)
        {
            int n;
            if (text == null)
            {
                n = host.EncodeEmpty(type);
            }
            else
            {
                byte[] bytes = new byte[256];
                int length = Utf8Text.Encode(text, bytes, 0);
                n = host.EncodeText(type, bytes, 0, length);
            }

            device.OnReceived(host.Output, 0, n);
        }

        [TestMethod]
        public void BootSendsHelloWithTheBoardScaling()
        {
            FakeAds131m04 adc = new FakeAds131m04();
            NbnEdgeDevice device = new NbnEdgeDevice(BoardDefinitions.Esp32DevKitC(), adc, new FakePlatform(), new NotEstimatedEstimator());
            Assert.IsTrue(device.Boot());
            CapturingSink sink = new CapturingSink();
            Drain(device, sink);
            Assert.AreEqual(1, sink.Frames);
            Assert.AreEqual((int)MessageType.Hello, sink.Types[0]);
            Assert.IsTrue(sink.LastHello.IndexOf("board=esp32-devkitc-ads131m04\n") >= 0);
            Assert.IsTrue(sink.LastHello.IndexOf("bias_uV_per_lsb=0.001430511474609375\n") >= 0);
            Assert.IsTrue(sink.LastHello.IndexOf("signal_uV_per_lsb=1.430511474609375\n") >= 0);
            Assert.IsTrue(sink.LastHello.IndexOf("adc=ADS131M04\n") >= 0);
            Assert.IsTrue(sink.LastHello.IndexOf("points=201\n") >= 0);
            Assert.IsTrue(sink.LastHello.IndexOf("sweep=both\n") >= 0);
            Assert.IsTrue(sink.LastHello.StartsWith("fw="));
        }

        [TestMethod]
        public void PingIsAnsweredByHelloThenAck()
        {
            FakeAds131m04 adc = new FakeAds131m04();
            NbnEdgeDevice device = new NbnEdgeDevice(BoardDefinitions.Esp32S3DevKitC(), adc, new FakePlatform(), new NotEstimatedEstimator());
            device.Boot();
            CapturingSink sink = new CapturingSink();
            Drain(device, sink);
            FrameEncoder host = new FrameEncoder();
            host.NextSeq = 500;
            SendCommand(device, host, MessageType.Ping, null);
            Drain(device, sink);
            Assert.AreEqual(3, sink.Frames);
            Assert.AreEqual((int)MessageType.Hello, sink.Types[1]);
            Assert.AreEqual((int)MessageType.Ack, sink.Types[2]);
            Assert.AreEqual(500u, sink.LastAckSeq);
            Assert.AreEqual(0, sink.LastAckStatus);
            // The device's own seq runs on without gaps.
            Assert.AreEqual(0u, sink.Seqs[0]);
            Assert.AreEqual(1u, sink.Seqs[1]);
            Assert.AreEqual(2u, sink.Seqs[2]);
        }

        [TestMethod]
        public void BadConfigIsRefusedWholeAndGoodConfigApplied()
        {
            FakeAds131m04 adc = new FakeAds131m04();
            NbnEdgeDevice device = new NbnEdgeDevice(BoardDefinitions.Esp32DevKitC(), adc, new FakePlatform(), new NotEstimatedEstimator());
            device.Boot();
            CapturingSink sink = new CapturingSink();
            FrameEncoder host = new FrameEncoder();
            SendCommand(device, host, MessageType.Config, "points=50\nwobble=3\n");
            Drain(device, sink);
            Assert.AreEqual(1, sink.LastAckStatus);
            Assert.AreEqual("wobble=3", sink.LastAckText);
            Assert.AreEqual(201, device.Settings.Points);

            SendCommand(device, host, MessageType.Config, "points=50\r\nsettle_ms=3\naverage=7\nsweep=fwd\n");
            Drain(device, sink);
            Assert.AreEqual(0, sink.LastAckStatus);
            Assert.AreEqual(1u, sink.LastAckSeq);
            Assert.AreEqual(50, device.Settings.Points);
            Assert.AreEqual(3, device.Settings.SettleMs);
            Assert.AreEqual(7, device.Settings.Average);
            Assert.AreEqual(3, device.Assembler.SettleSamples);
            SendCommand(device, host, MessageType.Ping, null);
            Drain(device, sink);
            Assert.IsTrue(sink.LastHello.IndexOf("points=50\n") >= 0);
            Assert.IsTrue(sink.LastHello.IndexOf("sweep=fwd\n") >= 0);
        }

        [TestMethod]
        public void StartAcquireSendsChunkedSpectrumAndEstimate()
        {
            FakeAds131m04 adc = new FakeAds131m04();
            NbnEdgeDevice device = new NbnEdgeDevice(BoardDefinitions.Esp32DevKitC(), adc, new FakePlatform(), new NotEstimatedEstimator());
            device.Boot();
            CapturingSink sink = new CapturingSink();
            Drain(device, sink);
            FrameEncoder host = new FrameEncoder();
            SendCommand(device, host, MessageType.Config, "points=201\nsettle_ms=2\naverage=3\nstep_codes=500\n");
            SendCommand(device, host, MessageType.Start, null);
            Drain(device, sink);
            Assert.AreEqual(0, sink.LastAckStatus);
            Assert.IsTrue(device.Running);

            // 1 kS/s: 2 samples settle, 3 averaged, 6 per point; a setpoint plateau first.
            int points = 201;
            int perPoint = 6;
            int total = (points + 1) * perPoint;
            adc.BiasSequence = new int[total];
            adc.SignalSequence = new int[total];
            adc.Cursor = 0;
            for (int i = 0; i < total; i++)
            {
                int point = i / perPoint;
                adc.BiasSequence[i] = point == 0 ? 2000000 : -1000000 + (point - 1) * 10000;
                adc.SignalSequence[i] = point * 3;
            }

            for (int i = 0; i < total; i++)
            {
                Assert.AreEqual(0, device.AcquireOnce());
                while (device.ProcessPendingSpectrum())
                {
                }

                Drain(device, sink);
            }

            Assert.AreEqual((uint)total, device.Status.Samples);
            Assert.AreEqual(2, sink.SpectrumChunks);
            Assert.AreEqual(201, sink.SpectrumPoints);
            Assert.IsTrue(sink.SawLastChunk);
            Assert.AreEqual(1, sink.EstimatesInvalid);
            Assert.AreEqual(-1000000, sink.Bias[0]);
            Assert.AreEqual(1000000, sink.Bias[200]);

            device.SendStatus();
            Drain(device, sink);
            Assert.AreEqual(1u, sink.Decoder.Frame.Status.SpectraDone);
            Assert.AreEqual(12345u, sink.Decoder.Frame.Status.UptimeMs);
            Assert.AreEqual(54321u, sink.Decoder.Frame.Status.FreeHeapBytes);
            Assert.AreEqual(0u, sink.Decoder.BadCrc);
        }

        [TestMethod]
        public void SilentConverterIsResetThenTheBoardRebooted()
        {
            FakeAds131m04 adc = new FakeAds131m04();
            FakePlatform platform = new FakePlatform();
            NbnEdgeDevice device = new NbnEdgeDevice(BoardDefinitions.Esp32DevKitC(), adc, platform, new NotEstimatedEstimator());
            device.Boot();
            FrameEncoder host = new FrameEncoder();
            SendCommand(device, host, MessageType.Start, null);
            Assert.AreEqual(1, adc.ResetPulses);

            // No data at all: DRDY times out every time.
            for (int i = 0; i < NbnEdgeDevice.FailuresBeforeRecovery; i++)
            {
                Assert.AreEqual(1, device.AcquireOnce());
            }

            Assert.AreEqual(2, adc.ResetPulses, "the converter is reset after a run of failures");
            Assert.AreEqual(0, platform.Reboots);
            adc.Mute = true;
            for (int i = 0; i < NbnEdgeDevice.FailuresBeforeRecovery * NbnEdgeDevice.RecoveriesBeforeReboot; i++)
            {
                device.AcquireOnce();
            }

            Assert.AreEqual(1, platform.Reboots);
            Assert.AreEqual((uint)(NbnEdgeDevice.FailuresBeforeRecovery * (1 + NbnEdgeDevice.RecoveriesBeforeReboot)), device.Status.DrdyTimeouts);
        }
    }
}
