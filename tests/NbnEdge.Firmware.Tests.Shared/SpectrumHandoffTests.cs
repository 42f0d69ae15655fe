using NbnEdge.Firmware.Device;
#if NANOFRAMEWORK_1_0
using nanoFramework.TestFramework;
#else
using Microsoft.VisualStudio.TestTools.UnitTesting;
#endif

namespace NbnEdge.Firmware.Tests
{
    [TestClass]
    public class SpectrumHandoffTests
    {
        private static int[] Codes(int count, int start)
        {
            int[] codes = new int[count];
            for (int i = 0; i < count; i++)
            {
                codes[i] = start + i;
            }

            return codes;
        }

        [TestMethod]
        public void AcquisitionNeverWaitsAndCountsWhatTheWorkerCouldNotTake()
        {
            SpectrumHandoff handoff = new SpectrumHandoff(16);
            bool[] over = new bool[16];
            // The worker is stalled: two sweeps fill both slots, the third is dropped at once.
            Assert.IsTrue(handoff.TryPublish(Codes(8, 100), Codes(8, 200), over, 8, false, 0));
            Assert.IsTrue(handoff.TryPublish(Codes(8, 300), Codes(8, 400), over, 8, true, 1));
            Assert.IsFalse(handoff.TryPublish(Codes(8, 500), Codes(8, 600), over, 8, false, 2));
            Assert.AreEqual(1, (int)handoff.Dropped);

            // Oldest first, with its own copy of the data.
            int slot = handoff.Take();
            Assert.AreEqual(0, (int)handoff.SpectrumId(slot));
            Assert.AreEqual(8, handoff.Count(slot));
            Assert.AreEqual(107, handoff.Bias(slot)[7]);
            Assert.IsFalse(handoff.Backward(slot));
            handoff.Release(slot);

            // A freed slot takes the next sweep; the waiting one still comes first.
            Assert.IsTrue(handoff.TryPublish(Codes(8, 700), Codes(8, 800), over, 8, false, 3));
            slot = handoff.Take();
            Assert.AreEqual(1, (int)handoff.SpectrumId(slot));
            Assert.IsTrue(handoff.Backward(slot));
            handoff.Release(slot);
            slot = handoff.Take();
            Assert.AreEqual(3, (int)handoff.SpectrumId(slot));
            Assert.AreEqual(800, handoff.Signal(slot)[0]);
            handoff.Release(slot);
            Assert.AreEqual(-1, handoff.Take());
            Assert.AreEqual(1, (int)handoff.Dropped);
        }

        [TestMethod]
        public void PublishedDataIsACopy()
        {
            SpectrumHandoff handoff = new SpectrumHandoff(4);
            int[] bias = Codes(4, 10);
            int[] signal = Codes(4, 20);
            bool[] over = new bool[4];
            over[2] = true;
            Assert.IsTrue(handoff.TryPublish(bias, signal, over, 4, false, 9));
            // The sweep assembler reuses its arrays for the next sweep at once.
            bias[0] = -1;
            signal[3] = -1;
            over[2] = false;
            Assert.IsTrue(handoff.WaitForSpectrum(0));
            int slot = handoff.Take();
            Assert.AreEqual(10, handoff.Bias(slot)[0]);
            Assert.AreEqual(23, handoff.Signal(slot)[3]);
            Assert.IsTrue(handoff.Overranged(slot)[2]);
        }
    }
}
