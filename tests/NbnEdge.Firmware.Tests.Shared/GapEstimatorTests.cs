using NbnEdge.Firmware.Boards;
using NbnEdge.Firmware.Estimation;
using NbnEdge.Firmware.Protocol;
#if NANOFRAMEWORK_1_0
using nanoFramework.TestFramework;
#else
using Microsoft.VisualStudio.TestTools.UnitTesting;
#endif

namespace NbnEdge.Firmware.Tests
{
    /// <summary>
    /// The fixed-point gap estimator on the device's own arithmetic: integer helpers, a round trip
    /// through its own model, and garbage that must give an invalid estimate, never an exception.
    /// (Accuracy against the exact model is in NbnEdge.Firmware.Estimator.Tests, which needs the host.)
    /// </summary>
    [TestClass]
    public class GapEstimatorTests
    {
        private const int Points = 256;
        // 1 V of lock-in output at 1.430511474609375 µV per LSB.
        private const long NormalCodes = 699051;

        private static int[] LinearBiasCodes(GapEstimator estimator, long q32, int points, long sweepNv)
        {
            int[] codes = new int[points];
            for (int k = 0; k < points; k++)
            {
                long vNv = -sweepNv + (2 * sweepNv * k / (points - 1));
                codes[k] = (int)((vNv << 32) / q32);
            }

            return codes;
        }

        [TestMethod]
        public void BoardBiasScalingParsesExactly()
        {
            // 0.001430511474609375 µV = 375/262144 µV: 1.430511474609375 nV, in Q32 exactly 6 144 000 000.
            Assert.AreEqual(6144000000L, GapEstimator.ParseMicrovoltsAsNanovoltsQ32(BoardDefinitions.Esp32DevKitC().BiasUvPerLsb));
            Assert.AreEqual(1000L << 32, GapEstimator.ParseMicrovoltsAsNanovoltsQ32("1"));
            Assert.AreEqual(1L << 31, GapEstimator.ParseMicrovoltsAsNanovoltsQ32("0.0005"));
            Assert.AreEqual(0L, GapEstimator.ParseMicrovoltsAsNanovoltsQ32("1.2e-3"));
            Assert.AreEqual(0L, GapEstimator.ParseMicrovoltsAsNanovoltsQ32(null));
        }

        [TestMethod]
        public void IntegerSquareRootIsTheFloor()
        {
            Assert.AreEqual(0L, FixedPointMath.Isqrt(0));
            Assert.AreEqual(1L, FixedPointMath.Isqrt(3));
            Assert.AreEqual(2L, FixedPointMath.Isqrt(4));
            Assert.AreEqual(3037000499L, FixedPointMath.Isqrt(long.MaxValue));
            for (long n = 1; n < 100000; n += 997)
            {
                long r = FixedPointMath.Isqrt(n * n + 2 * n);
                Assert.AreEqual(n, r);
                Assert.AreEqual(n - 1, FixedPointMath.Isqrt(n * n - 1));
            }
        }

        [TestMethod]
        public void Log2OfPowersAndRoots()
        {
            Assert.AreEqual(0, FixedPointMath.Log2Q16(1L << 30));
            Assert.AreEqual(-8 << 16, FixedPointMath.Log2Q16(1L << 22));
            Assert.AreEqual(3 << 16, FixedPointMath.Log2Q16(8L << 30));
            // log2 √2 = 0.5 and log2 3 = 1.5849625: within one Q16 step below (the algorithm truncates).
            int half = FixedPointMath.Log2Q16(1518500250L);
            Assert.IsTrue(half >= 32767 && half <= 32768, half.ToString());
            int log3 = FixedPointMath.Log2Q16(3L << 30);
            Assert.IsTrue(log3 >= 103872 && log3 <= 103873, log3.ToString());
        }

        [TestMethod]
        public void MulDivAvoidsTheOverflowOfTheProduct()
        {
            Assert.AreEqual(3L << 40, FixedPointMath.MulDiv(3L << 40, 1 << 30, 1 << 30));
            Assert.AreEqual(-(7L << 45) / 3, FixedPointMath.MulDiv(-(7L << 45), 1 << 29, 3L << 29));
            Assert.AreEqual(33L, FixedPointMath.MulDiv(100, 1, 3));
        }

        [TestMethod]
        public void RecoversItsOwnModelExactly()
        {
            BoardDefinition board = BoardDefinitions.Esp32DevKitC();
            long q32 = GapEstimator.ParseMicrovoltsAsNanovoltsQ32(board.BiasUvPerLsb);
            GapEstimator estimator = new GapEstimator(board);
            int[] bias = LinearBiasCodes(estimator, q32, Points, 6000000);
            int[] signal = new int[Points];
            // Δ = 1.5 meV, T = 1.5 K (kT = 129 260 nV), V₀ = +37 µV.
            long deltaNv = 1500000;
            long kTNv = 129260;
            long v0Nv = 37000;
            for (int k = 0; k < Points; k++)
            {
                long vNv = (bias[k] * q32) >> 32;
                signal[k] = (int)((estimator.ModelConductanceQ16(vNv, deltaNv, kTNv, v0Nv) * NormalCodes) >> 16);
            }

            EstimateReport report = new EstimateReport();
            estimator.Estimate(bias, signal, Points, false, report);
            Assert.IsTrue(report.Valid, "valid");
            Assert.AreEqual(1500, report.DeltaUeV);
            Assert.AreEqual(37, report.BiasOffsetUv);
            // 129 260 nV / 86.17333262 nV/mK = 1500.0 mK.
            Assert.IsTrue(report.TEffMk >= 1499 && report.TEffMk <= 1501, report.TEffMk.ToString());
            Assert.IsTrue(report.Quality > 900, report.Quality.ToString());
        }

        [TestMethod]
        public void SweepDirectionDoesNotChangeTheEstimate()
        {
            BoardDefinition board = BoardDefinitions.Esp32DevKitC();
            long q32 = GapEstimator.ParseMicrovoltsAsNanovoltsQ32(board.BiasUvPerLsb);
            GapEstimator estimator = new GapEstimator(board);
            int[] bias = LinearBiasCodes(estimator, q32, 201, 5000000);
            int[] signal = new int[201];
            int[] biasBack = new int[201];
            int[] signalBack = new int[201];
            uint noise = 12345;
            for (int k = 0; k < 201; k++)
            {
                long vNv = (bias[k] * q32) >> 32;
                noise = (noise * 1664525) + 1013904223;
                int jitter = (int)(noise >> 20) - 2048;
                signal[k] = (int)((estimator.ModelConductanceQ16(vNv, 800000, 60000, -20000) * NormalCodes) >> 16) + (jitter * 3);
            }

            for (int k = 0; k < 201; k++)
            {
                biasBack[k] = bias[200 - k];
                signalBack[k] = signal[200 - k];
            }

            EstimateReport forward = new EstimateReport();
            EstimateReport backward = new EstimateReport();
            estimator.Estimate(bias, signal, 201, false, forward);
            estimator.Estimate(biasBack, signalBack, 201, true, backward);
            Assert.IsTrue(forward.Valid);
            Assert.AreEqual(forward.DeltaUeV, backward.DeltaUeV);
            Assert.AreEqual(forward.TEffMk, backward.TEffMk);
            Assert.AreEqual(forward.BiasOffsetUv, backward.BiasOffsetUv);
            Assert.AreEqual(forward.Quality, backward.Quality);
            Assert.IsTrue(forward.DeltaUeV >= 795 && forward.DeltaUeV <= 805, forward.DeltaUeV.ToString());
        }

        [TestMethod]
        public void GarbageGivesAnInvalidEstimateNotAnException()
        {
            BoardDefinition board = BoardDefinitions.Esp32DevKitC();
            long q32 = GapEstimator.ParseMicrovoltsAsNanovoltsQ32(board.BiasUvPerLsb);
            GapEstimator estimator = new GapEstimator(board);
            int[] bias = LinearBiasCodes(estimator, q32, Points, 6000000);
            int[] signal = new int[Points];
            EstimateReport report = new EstimateReport();

            // All zeros.
            estimator.Estimate(new int[Points], new int[Points], Points, false, report);
            Assert.IsFalse(report.Valid, "zeros");

            // Flat spectrum with 2 % noise: no gap.
            uint noise = 777;
            for (int k = 0; k < Points; k++)
            {
                noise = (noise * 1664525) + 1013904223;
                signal[k] = (int)NormalCodes + (int)(((long)(noise >> 16) - 32768) * 14000 / 32768);
            }

            estimator.Estimate(bias, signal, Points, false, report);
            Assert.IsFalse(report.Valid, "flat");
            Assert.IsTrue(report.Quality < GapEstimator.MinimumValidQuality, "flat quality " + report.Quality.ToString());

            // Saturated signal.
            for (int k = 0; k < Points; k++)
            {
                signal[k] = 8388607;
            }

            estimator.Estimate(bias, signal, Points, false, report);
            Assert.IsFalse(report.Valid, "saturated");
            Assert.AreEqual(0, report.Quality);

            // Negative lock-in level (phase error).
            for (int k = 0; k < Points; k++)
            {
                signal[k] = -(int)NormalCodes;
            }

            estimator.Estimate(bias, signal, Points, false, report);
            Assert.IsFalse(report.Valid, "negative");

            // Eight points; more points than the arrays hold; null arrays; flat bias.
            estimator.Estimate(bias, signal, 8, false, report);
            Assert.IsFalse(report.Valid, "8 points");
            estimator.Estimate(bias, signal, Points + 1, false, report);
            Assert.IsFalse(report.Valid, "count beyond the arrays");
            estimator.Estimate(null, null, Points, false, report);
            Assert.IsFalse(report.Valid, "null");
            estimator.Estimate(new int[Points], signal, Points, false, report);
            Assert.IsFalse(report.Valid, "flat bias");

            // Random codes over the whole range.
            for (int k = 0; k < Points; k++)
            {
                noise = (noise * 1664525) + 1013904223;
                signal[k] = (int)(noise >> 9) - 4194304;
            }

            estimator.Estimate(bias, signal, Points, false, report);
            Assert.IsFalse(report.Valid, "random");
        }
    }
}
