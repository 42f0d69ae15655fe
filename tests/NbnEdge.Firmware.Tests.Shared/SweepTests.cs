using NbnEdge.Firmware.Sweep;
#if NANOFRAMEWORK_1_0
using nanoFramework.TestFramework;
#else
using Microsoft.VisualStudio.TestTools.UnitTesting;
#endif

namespace NbnEdge.Firmware.Tests
{
    /// <summary>Collects the spectra an assembler emits (copies, since the assembler reuses its arrays).</summary>
    public sealed class RecordingSink : ISpectrumSink
    {
        public int Spectra;
        public int[] LastBias = new int[0];
        public int[] LastSignal = new int[0];
        public bool LastBackward;
        public bool LastAnyOverrange;
        public int[] Counts = new int[16];
        public bool[] Backward = new bool[16];
        public int[] FirstBias = new int[16];

        public void OnSpectrum(int[] biasCodes, int[] signalCodes, bool[] overranged, int count, bool backward)
        {
            LastBias = new int[count];
            LastSignal = new int[count];
            System.Array.Copy(biasCodes, LastBias, count);
            System.Array.Copy(signalCodes, LastSignal, count);
            LastBackward = backward;
            LastAnyOverrange = false;
            for (int i = 0; i < count; i++)
            {
                if (overranged[i])
                {
                    LastAnyOverrange = true;
                }
            }

            if (Spectra < Counts.Length)
            {
                Counts[Spectra] = count;
                Backward[Spectra] = backward;
                FirstBias[Spectra] = biasCodes[0];
            }

            Spectra++;
        }
    }

    [TestClass]
    public class SweepTests
    {
        private const int Settle = 4;
        private const int Dwell = 12;
        private const int Step = 5000;
        private const int Setpoint = 900000;
        private const int Start = -50000;

        // One bias plateau: Settle samples of ringing (must be dropped), then Dwell - Settle good ones.
        private static void Plateau(SweepAssembler a, int bias, int pointIndex)
        {
            for (int j = 0; j < Dwell; j++)
            {
                if (j < Settle)
                {
                    // Bias overshoot and a wild signal: any of it in an average would show.
                    a.AddSample(bias + 700 - j * 100, 5000000, j == 0);
                }
                else
                {
                    a.AddSample(bias + ((j % 2) == 0 ? 3 : -3), SignalValue(pointIndex, j), false);
                }
            }
        }

        private static int SignalValue(int pointIndex, int j)
        {
            return 1000 * pointIndex - 7 * j;
        }

        // Expected average of SignalValue over j = Settle..Dwell-1, computed independently with rounding half away from zero.
        private static int ExpectedSignal(int pointIndex)
        {
            long sum = 0;
            for (int j = Settle; j < Dwell; j++)
            {
                sum += SignalValue(pointIndex, j);
            }

            long n = Dwell - Settle;
            long twice = 2 * sum;
            // round(sum / n) = floor((2 sum + n) / (2 n)) for sum >= 0; mirrored for negatives.
            return (int)(sum >= 0 ? (twice + n) / (2 * n) : -((-twice + n) / (2 * n)));
        }

        private static SweepAssembler NewAssembler(RecordingSink sink, int points)
        {
            SweepAssembler a = new SweepAssembler(sink, 64);
            a.SettleSamples = Settle;
            a.StepThresholdCodes = 1000;
            a.PointsPerSpectrum = points;
            a.MinimumPoints = 5;
            return a;
        }

        [TestMethod]
        public void RoundedMeanRoundsHalfAwayFromZero()
        {
            Assert.AreEqual(3, SweepAssembler.RoundedMean(5, 2));
            Assert.AreEqual(-3, SweepAssembler.RoundedMean(-5, 2));
            Assert.AreEqual(2, SweepAssembler.RoundedMean(7, 3));
            Assert.AreEqual(-2, SweepAssembler.RoundedMean(-7, 3));
            Assert.AreEqual(0, SweepAssembler.RoundedMean(0, 9));
            Assert.AreEqual(2147483647, SweepAssembler.RoundedMean(2147483647L * 3, 3));
        }

        [TestMethod]
        public void ForwardSweepBetweenSetpointsIsOneSpectrumWithExactAverages()
        {
            RecordingSink sink = new RecordingSink();
            SweepAssembler a = NewAssembler(sink, 0);
            Plateau(a, Setpoint, 99);
            for (int k = 0; k < 10; k++)
            {
                Plateau(a, Start + k * Step, k);
            }

            Assert.AreEqual(0, sink.Spectra, "the sweep is not over until the bias leaves it");
            Plateau(a, Setpoint, 99);
            Plateau(a, Setpoint + 40000, 98);

            Assert.AreEqual(1, sink.Spectra);
            Assert.AreEqual(10, sink.LastBias.Length);
            Assert.IsFalse(sink.LastBackward);
            for (int k = 0; k < 10; k++)
            {
                // Bias noise is ±3 in alternation over 8 samples: the mean is the plateau exactly.
                Assert.AreEqual(Start + k * Step, sink.LastBias[k], "bias " + k.ToString());
                Assert.AreEqual(ExpectedSignal(k), sink.LastSignal[k], "signal " + k.ToString());
            }

            Assert.IsFalse(sink.LastAnyOverrange, "clipping inside the settling window must not mark the point");
            Assert.AreEqual((uint)(13 * Settle), a.SettlingSamplesDropped);
        }

        [TestMethod]
        public void ForwardThenBackwardSweepsGiveTwoSpectraWithDirections()
        {
            RecordingSink sink = new RecordingSink();
            SweepAssembler a = NewAssembler(sink, 0);
            Plateau(a, Setpoint, 99);
            for (int k = 0; k < 8; k++)
            {
                Plateau(a, Start + k * Step, k);
            }

            for (int k = 6; k >= 0; k--)
            {
                Plateau(a, Start + k * Step, 20 + k);
            }

            Plateau(a, Setpoint, 99);
            Assert.AreEqual(1, sink.Spectra, "the backward sweep ends when the setpoint's point closes");
            Plateau(a, Setpoint + 40000, 98);
            Assert.AreEqual(2, sink.Spectra);
            Assert.AreEqual(8, sink.Counts[0]);
            Assert.IsFalse(sink.Backward[0]);
            Assert.AreEqual(Start, sink.FirstBias[0]);
            // The backward sweep starts at the forward sweep's end point.
            Assert.AreEqual(8, sink.Counts[1]);
            Assert.IsTrue(sink.Backward[1]);
            Assert.AreEqual(Start + 7 * Step, sink.FirstBias[1]);
            Assert.AreEqual(Start, sink.LastBias[7]);
            Assert.AreEqual(ExpectedSignal(20), sink.LastSignal[7]);
        }

        [TestMethod]
        public void FixedPointCountEndsSpectrumAtTheLastPoint()
        {
            RecordingSink sink = new RecordingSink();
            SweepAssembler a = NewAssembler(sink, 6);
            a.MaxAveragedSamples = Dwell - Settle;
            Plateau(a, Setpoint, 99);
            for (int k = 0; k < 6; k++)
            {
                Plateau(a, Start - k * Step, k);
            }

            // With a sample cap per point, the last point closes without waiting for the next step.
            Assert.AreEqual(1, sink.Spectra);
            Assert.IsTrue(sink.LastBackward);
            Assert.AreEqual(6, sink.LastBias.Length);
            Assert.AreEqual(Start - 5 * Step, sink.LastBias[5]);
            Assert.AreEqual(ExpectedSignal(5), sink.LastSignal[5]);
        }

        [TestMethod]
        public void AveragingCapUsesOnlyTheFirstSamplesAfterSettling()
        {
            RecordingSink sink = new RecordingSink();
            SweepAssembler a = NewAssembler(sink, 5);
            a.MaxAveragedSamples = 2;
            Plateau(a, Setpoint, 99);
            for (int k = 0; k < 5; k++)
            {
                Plateau(a, Start + k * Step, k);
            }

            Assert.AreEqual(1, sink.Spectra);
            // Samples j = 4 and 5 only: 1000 k - 28 and 1000 k - 35, mean 1000 k - 31.5 -> rounded away from zero.
            Assert.AreEqual(-32, sink.LastSignal[0]);
            Assert.AreEqual(2969, sink.LastSignal[3]);
        }

        [TestMethod]
        public void ShortSweepIsCountedAsIncompleteNotSent()
        {
            RecordingSink sink = new RecordingSink();
            SweepAssembler a = NewAssembler(sink, 20);
            Plateau(a, Setpoint, 99);
            for (int k = 0; k < 7; k++)
            {
                Plateau(a, Start + k * Step, k);
            }

            Plateau(a, Setpoint, 99);
            Plateau(a, Setpoint + 50000, 99);
            Assert.AreEqual(0, sink.Spectra);
            Assert.AreEqual(1u, a.IncompleteSweeps);
        }

        [TestMethod]
        public void OverrangeAfterSettlingMarksThePoint()
        {
            RecordingSink sink = new RecordingSink();
            SweepAssembler a = NewAssembler(sink, 5);
            a.MaxAveragedSamples = 3;
            Plateau(a, Setpoint, 99);
            for (int k = 0; k < 5; k++)
            {
                for (int j = 0; j < Dwell; j++)
                {
                    a.AddSample(Start + k * Step, 10, k == 2 && j == Settle);
                }
            }

            Assert.AreEqual(1, sink.Spectra);
            Assert.IsTrue(sink.LastAnyOverrange);
        }
    }
}
