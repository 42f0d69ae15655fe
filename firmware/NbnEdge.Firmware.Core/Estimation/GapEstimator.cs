using NbnEdge.Firmware.Boards;
using NbnEdge.Firmware.Protocol;

namespace NbnEdge.Firmware.Estimation
{
    /// <summary>
    /// Fixed-point estimate of the superconducting gap Δ, the effective temperature and the bias offset
    /// of one averaged spectrum: integer arithmetic only, no allocation per spectrum, O(N).
    /// </summary>
    /// <remarks>
    /// <para>1. Normalise: the signal is scaled by the mean of the outer points (10 % at each end) and a
    /// line through the two ends gives the background for the shape features.</para>
    /// <para>2. Features → start values: the zero-bias depth G(0) gives t = k_BT/Δ (a function of t alone,
    /// <see cref="GapCalibrationTables.ZeroBiasQ16"/>); the two crossings of the half-depth level give the
    /// gap centre (their midpoint: the bias offset, from the spectrum's symmetry) and a half-width that
    /// <see cref="GapCalibrationTables.HalfDepthXQ16"/> turns into Δ.</para>
    /// <para>3. Refine: Levenberg–Marquardt on y = (a + b·u)·G((V − V₀)/Δ, k_BT/Δ) with all five
    /// parameters free, the model taken from the exact-model table <see cref="GapCalibrationTables.ConductanceQ15"/>
    /// (biquadratic in w = (|x| − 1)/t and ln t, Sommerfeld expansion beyond w = 24). Every iteration is
    /// one O(N) pass that accumulates the 5×5 normal equations in long; the solve is a Jacobi-scaled
    /// Gaussian elimination. The residual is evaluated with the model itself, so the fixed point is the
    /// least-squares fit of the table model: no calibration bias from the features survives.</para>
    /// <para>Units inside: bias, Δ, k_BT and V₀ in nV (neV); signal and conductance Q16 (1.0 = 65536).</para>
    /// </remarks>
    public sealed class GapEstimator : ISpectrumEstimator
    {
        /// <summary>Points per spectrum the buffers hold by default (the CONFIG maximum).</summary>
        public const int DefaultCapacity = 1024;

        /// <summary>Fewer points than this cannot resolve a gap: the estimate is marked invalid.</summary>
        public const int MinimumPoints = 16;

        /// <summary>Averaged codes at or beyond this magnitude count as saturated (full scale is 2^23 − 1).</summary>
        public const int SaturationCode = 8300000;

        /// <summary>Smallest Δ reported valid, nV (far below any NbN gap, above a few bias steps).</summary>
        public const int MinimumDeltaNv = 100000;

        /// <summary>Quality below which the estimate is not marked valid.</summary>
        public const int MinimumValidQuality = 300;

        private const int MaxIterations = 30;
        private const int One = 65536;
        private const int NormalParameters = 5;

        // t is kept inside the table's interpolation range (t ≈ 0.0041 … 0.96).
        private const long TMinQ30 = GapCalibrationTables.TMinQ30;
        private const long TMaxQ30 = GapCalibrationTables.TMaxQ30;

        // The table is used from 1/16 above its first node to 1/8 below its last, so the three-node stencil always exists.
        private const long WLowQ16 = (GapCalibrationTables.WMin * 65536L) + 4096;
        private const long WHighQ16 = ((GapCalibrationTables.WMin * 65536L) + ((GapCalibrationTables.WNodes - 1) * 65536L / GapCalibrationTables.NodesPerUnitW)) - 8192;

        private readonly long _biasNvPerLsbQ32;
        private readonly int[] _v;
        private readonly int[] _y;
        private readonly int[] _u;
        private readonly int[] _yn;
        private readonly int[] _hRow = new int[GapCalibrationTables.WNodes];
        private readonly int[] _sRow = new int[GapCalibrationTables.WNodes];

        private readonly long[] _normal = new long[NormalParameters * NormalParameters];
        private readonly long[] _gradient = new long[NormalParameters];
        private readonly long[] _trialNormal = new long[NormalParameters * NormalParameters];
        private readonly long[] _trialGradient = new long[NormalParameters];
        private readonly long[] _m = new long[NormalParameters * NormalParameters];
        private readonly long[] _rhs = new long[NormalParameters];
        private readonly long[] _z = new long[NormalParameters];
        private readonly int[] _scale = new int[NormalParameters];
        private readonly long[] _stepQ16 = new long[NormalParameters];

        private int _count;

        // The temperature row of the current pass.
        private long _tQ16;
        private long _invSqrtTQ16;
        private long _invKtQ40;
        private long _rowDeltaNv;

        // One point's model (Q16): G, ∂G/∂w, ∂G/∂εΔ (Δ += ε·kT), ∂G/∂εT (kT ×= 1 + ε).
        private long _pG;
        private long _pGw;
        private long _pJDelta;
        private long _pJT;

        /// <summary>O(N) model passes of the last estimate (each one sweep over the points).</summary>
        public int ModelPasses;

        /// <summary>Levenberg–Marquardt iterations of the last estimate.</summary>
        public int Iterations;

        /// <summary>Point evaluations in the far tail (integer square root) in the last estimate.</summary>
        public int TailEvaluations;

        /// <summary>Point evaluations in the table region in the last estimate.</summary>
        public int TableEvaluations;

        /// <summary>Whether the last fit met its step tolerance.</summary>
        public bool Converged;

        /// <summary>Creates an estimator for <paramref name="board"/>'s bias scaling with the default capacity.</summary>
        public GapEstimator(BoardDefinition board)
            : this(ParseMicrovoltsAsNanovoltsQ32(board.BiasUvPerLsb), DefaultCapacity)
        {
        }

        /// <summary>Creates an estimator; every buffer is allocated here.</summary>
        /// <param name="biasNvPerLsbQ32">junction bias per bias-channel LSB in nV, Q32 (an exact binary fraction for the ADS131M04 boards)</param>
        /// <param name="capacityPoints">most points per spectrum</param>
        public GapEstimator(long biasNvPerLsbQ32, int capacityPoints)
        {
            _biasNvPerLsbQ32 = biasNvPerLsbQ32;
            _v = new int[capacityPoints];
            _y = new int[capacityPoints];
            _u = new int[capacityPoints];
            _yn = new int[capacityPoints];
        }

        /// <summary>
        /// Parses a decimal µV-per-LSB text (HELLO's bias_uV_per_lsb, e.g. "0.001430511474609375") into
        /// nV per LSB, Q32, rounded; exact for binary fractions. Returns 0 for text it cannot read.
        /// </summary>
        public static long ParseMicrovoltsAsNanovoltsQ32(string microvoltsPerLsb)
        {
            if (microvoltsPerLsb == null)
            {
                return 0;
            }

            long mantissa = 0;
            int fractionDigits = 0;
            bool point = false;
            int digits = 0;
            for (int i = 0; i < microvoltsPerLsb.Length; i++)
            {
                char c = microvoltsPerLsb[i];
                if (c == '.' && !point)
                {
                    point = true;
                }
                else if (c >= '0' && c <= '9')
                {
                    if (mantissa == 0 && c == '0')
                    {
                        // Leading zeros carry no digits.
                    }
                    else if (++digits > 17)
                    {
                        return 0;
                    }

                    mantissa = (mantissa * 10) + (c - '0');
                    if (point)
                    {
                        fractionDigits++;
                    }
                }
                else
                {
                    return 0;
                }
            }

            // µV → nV: three fewer fraction digits.
            long numerator = mantissa;
            long denominator = 1;
            int exponent = fractionDigits - 3;
            for (int i = 0; i < exponent; i++)
            {
                denominator *= 10;
            }

            for (int i = exponent; i < 0; i++)
            {
                numerator *= 10;
            }

            long whole = numerator / denominator;
            long remainder = numerator - (whole * denominator);
            long result = whole;
            for (int bit = 0; bit < 32; bit++)
            {
                remainder <<= 1;
                result <<= 1;
                if (remainder >= denominator)
                {
                    remainder -= denominator;
                    result |= 1;
                }
            }

            if (2 * remainder >= denominator)
            {
                result++;
            }

            return result;
        }

        /// <inheritdoc />
        public void Estimate(int[] biasCodes, int[] signalCodes, int count, bool backward, EstimateReport result)
        {
            result.ClearEstimate();
            ModelPasses = 0;
            Iterations = 0;
            TailEvaluations = 0;
            TableEvaluations = 0;
            Converged = false;

            if (biasCodes == null || signalCodes == null || count < MinimumPoints || count > _v.Length
                || count > biasCodes.Length || count > signalCodes.Length || _biasNvPerLsbQ32 <= 0)
            {
                return;
            }

            if (!LoadPoints(biasCodes, signalCodes, count, backward))
            {
                return;
            }

            int deltaNv;
            int kTNv;
            int v0Nv;
            if (!StartValues(out deltaNv, out kTNv, out v0Nv))
            {
                return;
            }

            Fit(deltaNv, kTNv, v0Nv, result);
        }

        /// <summary>
        /// Bias in nV (rising order), signal normalised to the mean of the end points (Q16), u ∈ [−1, 1]
        /// (Q16) across the sweep. False for saturated, non-monotonic or non-positive spectra.
        /// </summary>
        private bool LoadPoints(int[] biasCodes, int[] signalCodes, int count, bool backward)
        {
            _count = count;
            for (int k = 0; k < count; k++)
            {
                int source = backward ? count - 1 - k : k;
                int bias = biasCodes[source];
                int signal = signalCodes[source];
                if (bias >= SaturationCode || bias <= -SaturationCode || signal >= SaturationCode || signal <= -SaturationCode)
                {
                    return false;
                }

                _v[k] = (int)((bias * _biasNvPerLsbQ32) >> 32);
                _y[k] = signal;
                if (k > 0 && _v[k] <= _v[k - 1])
                {
                    return false;
                }
            }

            int ends = EndPoints();
            long sum = 0;
            for (int k = 0; k < ends; k++)
            {
                sum += _y[k] + _y[count - 1 - k];
            }

            long scale = sum / (2 * ends);
            // A lock-in level below ~100 codes (0.15 mV) is no spectrum, and a negative one means a phase error.
            if (scale < 100)
            {
                return false;
            }

            long middle = ((long)_v[0] + _v[count - 1]) / 2;
            long half = ((long)_v[count - 1] - _v[0]) / 2;
            for (int k = 0; k < count; k++)
            {
                _y[k] = (int)FixedPointMath.Clamp(((long)_y[k] << 16) / scale, -(16L << 16), 16L << 16);
                _u[k] = (int)((((long)_v[k] - middle) << 16) / half);
            }

            return true;
        }

        private int EndPoints()
        {
            int ends = _count / 10;
            return ends < 3 ? 3 : ends;
        }

        /// <summary>Start values from the shape: half-depth crossings, zero-bias depth, calibration tables.</summary>
        private bool StartValues(out int deltaNv, out int kTNv, out int v0Nv)
        {
            deltaNv = 0;
            kTNv = 0;
            v0Nv = 0;
            int n = _count;
            int ends = EndPoints();

            // Background line through the two ends, and the spectrum divided by it.
            long yLeft = 0;
            long yRight = 0;
            long vLeft = 0;
            long vRight = 0;
            for (int k = 0; k < ends; k++)
            {
                yLeft += _y[k];
                yRight += _y[n - 1 - k];
                vLeft += _v[k];
                vRight += _v[n - 1 - k];
            }

            yLeft /= ends;
            yRight /= ends;
            vLeft /= ends;
            vRight /= ends;
            for (int k = 0; k < n; k++)
            {
                long background = yLeft + ((yRight - yLeft) * (_v[k] - vLeft) / (vRight - vLeft));
                if (background < One / 16)
                {
                    return false;
                }

                _yn[k] = (int)FixedPointMath.Clamp(((long)_y[k] << 16) / background, -(16L << 16), 16L << 16);
            }

            // Deepest point of the 5-point running mean: inside the gap.
            int minIndex = -1;
            long minValue = long.MaxValue;
            for (int k = 2; k < n - 2; k++)
            {
                long s = (long)_yn[k - 2] + _yn[k - 1] + _yn[k] + _yn[k + 1] + _yn[k + 2];
                if (s < minValue)
                {
                    minValue = s;
                    minIndex = k;
                }
            }

            long depth = minValue / 5;
            long level = (depth + One) / 2;
            if (One - depth < One / 20)
            {
                // Less than 5 % depression: no gap to measure.
                return false;
            }

            long crossingLeft = Crossing(minIndex, -1, level);
            long crossingRight = Crossing(minIndex, 1, level);
            if (crossingLeft == long.MinValue || crossingRight == long.MinValue || crossingRight <= crossingLeft)
            {
                return false;
            }

            long halfWidth = (crossingRight - crossingLeft) / 2;
            long centre = (crossingLeft + crossingRight) / 2;

            // Zero-bias depth: mean of the three points nearest the centre.
            int nearest = 0;
            for (int k = 1; k < n; k++)
            {
                if (Abs((long)_v[k] - centre) < Abs((long)_v[nearest] - centre))
                {
                    nearest = k;
                }
            }

            if (nearest < 1)
            {
                nearest = 1;
            }

            if (nearest > n - 2)
            {
                nearest = n - 2;
            }

            long zeroBias = ((long)_yn[nearest - 1] + _yn[nearest] + _yn[nearest + 1]) / 3;
            long tQ30 = TemperatureFromZeroBias(zeroBias);

            // A peak narrower than the point spacing cannot be seen: start no sharper than about one step.
            long spacing = ((long)_v[n - 1] - _v[0]) / (n - 1);
            long halfX = HalfDepthX(tQ30);
            long delta = (halfWidth << 16) / halfX;
            if (delta < MinimumDeltaNv / 2)
            {
                delta = MinimumDeltaNv / 2;
            }

            long floorQ30 = (spacing << 30) / delta;
            if (tQ30 < floorQ30)
            {
                tQ30 = floorQ30;
                delta = (halfWidth << 16) / HalfDepthX(tQ30);
            }

            if (tQ30 > TMaxQ30)
            {
                tQ30 = TMaxQ30;
            }

            deltaNv = (int)delta;
            kTNv = (int)((tQ30 * delta) >> 30);
            v0Nv = (int)centre;
            return kTNv > 0;
        }

        /// <summary>Bias (nV) where the 3-point mean of the normalised spectrum first reaches <paramref name="level"/>, walking from <paramref name="start"/>.</summary>
        private long Crossing(int start, int direction, long level)
        {
            long previous = Smoothed(start);
            for (int k = start + direction; k >= 1 && k <= _count - 2; k += direction)
            {
                long current = Smoothed(k);
                if (current >= level)
                {
                    int kPrevious = k - direction;
                    long span = current - previous;
                    long fraction = span > 0 ? ((level - previous) << 16) / span : 0;
                    return _v[kPrevious] + (((long)_v[k] - _v[kPrevious]) * fraction >> 16);
                }

                previous = current;
            }

            return long.MinValue;
        }

        private long Smoothed(int k)
        {
            if (k < 1 || k > _count - 2)
            {
                return _yn[k];
            }

            return ((long)_yn[k - 1] + _yn[k] + _yn[k + 1]) / 3;
        }

        /// <summary>t (Q30) whose zero-bias conductance is <paramref name="zeroBiasQ16"/>, by the calibration table.</summary>
        private static long TemperatureFromZeroBias(long zeroBiasQ16)
        {
            int[] zb = GapCalibrationTables.ZeroBiasQ16;
            int[] tRow = GapCalibrationTables.TRowQ30;
            // Below ~0.5 % the depth no longer tells t (it falls like e^(−1/t)): start at the row where it first shows.
            int first = 0;
            while (first < zb.Length - 1 && zb[first] < One / 200)
            {
                first++;
            }

            if (zeroBiasQ16 <= zb[first])
            {
                return tRow[first] / 2;
            }

            for (int j = first; j < zb.Length - 1; j++)
            {
                if (zeroBiasQ16 < zb[j + 1])
                {
                    long f = ((zeroBiasQ16 - zb[j]) << 16) / (zb[j + 1] - zb[j]);
                    return tRow[j] + (((long)tRow[j + 1] - tRow[j]) * f >> 16);
                }
            }

            return tRow[zb.Length - 1];
        }

        /// <summary>Half-depth half-width over Δ (Q16) at t (Q30), interpolated linearly between rows.</summary>
        private static long HalfDepthX(long tQ30)
        {
            int[] hx = GapCalibrationTables.HalfDepthXQ16;
            int[] tRow = GapCalibrationTables.TRowQ30;
            if (tQ30 <= tRow[0])
            {
                return hx[0];
            }

            for (int j = 0; j < tRow.Length - 1; j++)
            {
                if (tQ30 < tRow[j + 1])
                {
                    long f = ((tQ30 - tRow[j]) << 16) / (tRow[j + 1] - tRow[j]);
                    return hx[j] + (((long)hx[j + 1] - hx[j]) * f >> 16);
                }
            }

            return hx[hx.Length - 1];
        }

        /// <summary>Levenberg–Marquardt on (Δ, kT, V₀, a, b); fills the report.</summary>
        private void Fit(int deltaNv, int kTNv, int v0Nv, EstimateReport result)
        {
            long delta = deltaNv;
            long kT = kTNv;
            long v0 = v0Nv;
            long a = One;
            long b = 0;
            long vMax = Abs(_v[0]) > Abs(_v[_count - 1]) ? Abs(_v[0]) : Abs(_v[_count - 1]);
            long deltaMax = vMax * 15 / 16;

            long cost = Pass(delta, kT, v0, a, b, _normal, _gradient);
            int dampingQ16 = 64;
            bool converged = false;
            for (int iteration = 0; iteration < MaxIterations && !converged; iteration++)
            {
                Iterations = iteration + 1;
                if (!Solve(_normal, _gradient, dampingQ16))
                {
                    break;
                }

                bool accepted = false;
                for (int attempt = 0; attempt < 8 && !accepted; attempt++)
                {
                    // The step, each parameter's change bounded: Δ and V₀ by a quarter gap, kT within ×½ … ×2.
                    long dDelta = FixedPointMath.Clamp((_stepQ16[0] * kT) >> 16, -delta / 4, delta / 4);
                    long dT = FixedPointMath.Clamp(_stepQ16[1], -One / 2, One);
                    long dV = FixedPointMath.Clamp((_stepQ16[2] * kT) >> 16, -delta / 4, delta / 4);
                    long dA = FixedPointMath.Clamp(_stepQ16[3], -One / 2, One / 2);
                    long dB = FixedPointMath.Clamp(_stepQ16[4], -One / 2, One / 2);

                    long newDelta = FixedPointMath.Clamp(delta + dDelta, MinimumDeltaNv / 2, deltaMax);
                    long newKt = kT + ((dT * kT) >> 16);
                    newKt = FixedPointMath.Clamp(newKt, (TMinQ30 * newDelta) >> 30, (TMaxQ30 * newDelta) >> 30);
                    long newV0 = FixedPointMath.Clamp(v0 + dV, -vMax / 2, vMax / 2);
                    long newA = a + dA;
                    long newB = b + dB;

                    long trialCost = Pass(newDelta, newKt, newV0, newA, newB, _trialNormal, _trialGradient);
                    if (trialCost <= cost)
                    {
                        accepted = true;
                        converged = Abs(newDelta - delta) <= 20 && Abs(newKt - kT) * 4000 <= kT && Abs(newV0 - v0) <= 20;
                        delta = newDelta;
                        kT = newKt;
                        v0 = newV0;
                        a = newA;
                        b = newB;
                        cost = trialCost;
                        System.Array.Copy(_trialNormal, _normal, _normal.Length);
                        System.Array.Copy(_trialGradient, _gradient, _gradient.Length);
                        dampingQ16 = dampingQ16 > 256 ? dampingQ16 / 4 : 64;
                    }
                    else if (dampingQ16 < One)
                    {
                        // Rejected: more damping, same normal equations.
                        dampingQ16 *= 8;
                        if (dampingQ16 > One)
                        {
                            dampingQ16 = One;
                        }

                        if (!Solve(_normal, _gradient, dampingQ16))
                        {
                            break;
                        }
                    }
                    else
                    {
                        // Fully damped and still uphill: shorten the step instead.
                        for (int p = 0; p < NormalParameters; p++)
                        {
                            _stepQ16[p] /= 2;
                        }
                    }
                }

                if (!accepted)
                {
                    // No downhill step left: the current point is the minimum to the precision of the arithmetic.
                    converged = true;
                }
            }

            Converged = converged;

            // Quality: the depth of the fitted gap against the residual noise.
            long noiseQ16 = FixedPointMath.Isqrt(cost / (_count - NormalParameters));
            BuildRow(delta, kT);
            EvaluatePoint(0, delta);
            long contrast = One - _pG;
            if (contrast < 0)
            {
                contrast = 0;
            }

            long quality = contrast * 1000 / (contrast + (8 * noiseQ16) + 1);
            long tQ30 = (kT << 30) / delta;
            bool atTemperatureBound = tQ30 <= TMinQ30 + (TMinQ30 >> 8) || tQ30 >= TMaxQ30 - (TMaxQ30 >> 8);
            bool atDeltaBound = delta <= MinimumDeltaNv || delta >= deltaMax;
            if (!converged || atDeltaBound)
            {
                quality /= 4;
            }

            result.DeltaUeV = (int)FixedPointMath.DivRound(delta, 1000);
            result.BiasOffsetUv = (int)FixedPointMath.DivRound(v0, 1000);
            // k_B = 86.17333262 neV/mK.
            result.TEffMk = atTemperatureBound ? 0 : (int)FixedPointMath.DivRound(kT * 100000000L, 8617333262L);
            result.Quality = (int)FixedPointMath.Clamp(quality, 0, 1000);
            result.Valid = converged && !atDeltaBound && result.Quality >= MinimumValidQuality;
        }

        /// <summary>
        /// One O(N) pass: model at every point, residual sum of squares (Q32), and the normal equations
        /// JᵀJ (Jacobian in Q12) and Jᵀr (residual in Q16) for parameters (εΔ, εT, εV, a, b), where
        /// Δ += εΔ·kT, kT ×= 1 + εT, V₀ += εV·kT. Returns the residual sum of squares.
        /// </summary>
        private long Pass(long delta, long kT, long v0, long a, long b, long[] normal, long[] gradient)
        {
            ModelPasses++;
            BuildRow(delta, kT);
            for (int i = 0; i < normal.Length; i++)
            {
                normal[i] = 0;
            }

            for (int i = 0; i < NormalParameters; i++)
            {
                gradient[i] = 0;
            }

            long cost = 0;
            for (int k = 0; k < _count; k++)
            {
                long dv = _v[k] - v0;
                long sign = dv >= 0 ? 1 : -1;
                EvaluatePoint(dv * sign, delta);
                long background = a + ((b * _u[k]) >> 16);
                long r = _y[k] - ((background * _pG) >> 16);
                r = FixedPointMath.Clamp(r, -(1L << 20), 1L << 20);
                cost += r * r;

                long j0 = FixedPointMath.Clamp((background * _pJDelta) >> 20, -(1L << 21), 1L << 21);
                long j1 = FixedPointMath.Clamp((background * _pJT) >> 20, -(1L << 21), 1L << 21);
                long j2 = FixedPointMath.Clamp(-sign * ((background * _pGw) >> 20), -(1L << 21), 1L << 21);
                long j3 = _pG >> 4;
                long j4 = (_u[k] * _pG) >> 20;

                normal[0] += j0 * j0;
                normal[1] += j0 * j1;
                normal[2] += j0 * j2;
                normal[3] += j0 * j3;
                normal[4] += j0 * j4;
                normal[6] += j1 * j1;
                normal[7] += j1 * j2;
                normal[8] += j1 * j3;
                normal[9] += j1 * j4;
                normal[12] += j2 * j2;
                normal[13] += j2 * j3;
                normal[14] += j2 * j4;
                normal[18] += j3 * j3;
                normal[19] += j3 * j4;
                normal[24] += j4 * j4;
                gradient[0] += j0 * r;
                gradient[1] += j1 * r;
                gradient[2] += j2 * r;
                gradient[3] += j3 * r;
                gradient[4] += j4 * r;
            }

            // Mirror the upper triangle.
            for (int i = 0; i < NormalParameters; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    normal[(i * NormalParameters) + j] = normal[(j * NormalParameters) + i];
                }
            }

            return cost;
        }

        /// <summary>
        /// Solves (JᵀJ + λ·diag) ε = Jᵀr into <see cref="_stepQ16"/> (ε in Q16). Columns are scaled by
        /// powers of two to a unit-ish diagonal (2^27 … 2^30) so every product of two matrix entries fits
        /// a long; elimination without pivoting is safe on the positive-definite damped matrix.
        /// </summary>
        private bool Solve(long[] normal, long[] gradient, int dampingQ16)
        {
            const int n = NormalParameters;
            for (int i = 0; i < n; i++)
            {
                long d = normal[(i * n) + i];
                if (d <= 0)
                {
                    return false;
                }

                // d >> 2s lands in [2^27, 2^29).
                _scale[i] = (FixedPointMath.BitLength(d) - 28) >> 1;
            }

            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    _m[(i * n) + j] = FixedPointMath.ShiftLeft(normal[(i * n) + j], -(_scale[i] + _scale[j]));
                }

                _m[(i * n) + i] += (_m[(i * n) + i] * dampingQ16) >> 16;
                // ε = D⁻¹ z with A' z = D⁻¹ g·2^12 (J in Q12 and r in Q16 leave ε in Q4 otherwise).
                _rhs[i] = FixedPointMath.Clamp(FixedPointMath.ShiftLeft(gradient[i], 12 - _scale[i]), -(1L << 48), 1L << 48);
            }

            for (int c = 0; c < n; c++)
            {
                long pivot = _m[(c * n) + c];
                if (pivot <= 0)
                {
                    return false;
                }

                for (int r = c + 1; r < n; r++)
                {
                    long factor = _m[(r * n) + c];
                    if (factor == 0)
                    {
                        continue;
                    }

                    for (int k = c; k < n; k++)
                    {
                        _m[(r * n) + k] -= _m[(c * n) + k] * factor / pivot;
                    }

                    _rhs[r] -= FixedPointMath.MulDiv(_rhs[c], factor, pivot);
                }
            }

            for (int c = n - 1; c >= 0; c--)
            {
                long sum = _rhs[c];
                for (int k = c + 1; k < n; k++)
                {
                    sum -= _m[(c * n) + k] * _z[k];
                }

                _z[c] = FixedPointMath.Clamp(sum / _m[(c * n) + c], -(1L << 29), 1L << 29);
            }

            for (int i = 0; i < n; i++)
            {
                _stepQ16[i] = FixedPointMath.Clamp(FixedPointMath.ShiftLeft(_z[i], -_scale[i]), -(1L << 24), 1L << 24);
            }

            return true;
        }

        /// <summary>
        /// Prepares the model for one (Δ, kT): t, 1/√t, 1/kT, and the table interpolated to this t
        /// (quadratic in ln t) with its ln t derivative, so each point then needs one row only.
        /// </summary>
        private void BuildRow(long delta, long kT)
        {
            _rowDeltaNv = delta;
            _tQ16 = (kT << 16) / delta;
            _invSqrtTQ16 = FixedPointMath.Isqrt((delta << 32) / kT);
            _invKtQ40 = (1L << 40) / kT;

            long tQ30 = (kT << 30) / delta;
            // Row coordinate (Q16): (log2 t − Log2TMin)·RowsPerOctave.
            long position = ((long)FixedPointMath.Log2Q16(tQ30) * GapCalibrationTables.RowsPerOctave)
                - ((long)GapCalibrationTables.Log2TMin * GapCalibrationTables.RowsPerOctave * One);
            long row = (position + (One / 2)) >> 16;
            row = FixedPointMath.Clamp(row, 1, GapCalibrationTables.Rows - 2);
            long f = FixedPointMath.Clamp(position - (row << 16), -One / 2, One / 2);
            long f2 = (f * f) >> 16;
            long wPrev = (f2 - f) / 2;
            long wMid = One - f2;
            long wNext = (f2 + f) / 2;
            long dPrev = f - (One / 2);
            long dMid = -2 * f;
            long dNext = f + (One / 2);

            ushort[] table = GapCalibrationTables.ConductanceQ15;
            int nodes = GapCalibrationTables.WNodes;
            int basePrev = (int)(row - 1) * nodes;
            int baseMid = basePrev + nodes;
            int baseNext = baseMid + nodes;
            for (int i = 0; i < nodes; i++)
            {
                long hPrev = table[basePrev + i];
                long hMid = table[baseMid + i];
                long hNext = table[baseNext + i];
                _hRow[i] = (int)(((wPrev * hPrev) + (wMid * hMid) + (wNext * hNext)) >> 15);
                long slope = ((dPrev * hPrev) + (dMid * hMid) + (dNext * hNext)) >> 15;
                _sRow[i] = (int)((slope * GapCalibrationTables.RowsPerUnitLnTQ16) >> 16);
            }
        }

        /// <summary>
        /// The model at |V − V₀| = <paramref name="distanceNv"/> for the row built by <see cref="BuildRow"/>:
        /// sets G, ∂G/∂w and the two shape derivatives (Q16).
        /// </summary>
        private void EvaluatePoint(long distanceNv, long delta)
        {
            long wQ16 = ((distanceNv - delta) * _invKtQ40) >> 24;
            if (wQ16 < WLowQ16)
            {
                // Deep in the gap: G < 1e−6.
                _pG = 0;
                _pGw = 0;
                _pJDelta = 0;
                _pJT = 0;
                return;
            }

            if (wQ16 <= WHighQ16)
            {
                TableEvaluations++;
                long p = (wQ16 - (GapCalibrationTables.WMin * 65536L)) * GapCalibrationTables.NodesPerUnitW;
                int i = (int)((p + (One / 2)) >> 16);
                long f = p - ((long)i << 16);
                long f2 = (f * f) >> 16;
                long hPrev = _hRow[i - 1];
                long hMid = _hRow[i];
                long hNext = _hRow[i + 1];
                long h = ((((f2 - f) / 2) * hPrev) + ((One - f2) * hMid) + (((f2 + f) / 2) * hNext)) >> 16;
                long hw = ((((f - (One / 2)) * hPrev) - (2 * f * hMid) + ((f + (One / 2)) * hNext)) >> 16) * GapCalibrationTables.NodesPerUnitW;
                long sPrev = _sRow[i - 1];
                long sMid = _sRow[i];
                long sNext = _sRow[i + 1];
                long hs = ((((f2 - f) / 2) * sPrev) + ((One - f2) * sMid) + (((f2 + f) / 2) * sNext)) >> 16;

                // G = H/√t: ∂G/∂w = H_w/√t, ∂G/∂ln t = (H_σ − H/2)/√t.
                _pG = (h * _invSqrtTQ16) >> 16;
                _pGw = (hw * _invSqrtTQ16) >> 16;
                long gs = ((hs - (h / 2)) * _invSqrtTQ16) >> 16;
                // Δ += ε·kT moves w by −ε and ln t by −ε·t; kT ×= 1 + ε moves w by −ε·w and ln t by ε.
                _pJDelta = -_pGw - ((_tQ16 * gs) >> 16);
                _pJT = -((wQ16 * _pGw) >> 16) + gs;
                return;
            }

            // Far tail (w > 24): Sommerfeld, G = n + (π²/2)t²·x/s⁵ with s² = x² − 1, n = x/s.
            TailEvaluations++;
            long xQ20 = (distanceNv << 20) / delta;
            long s2Q40 = (xQ20 * xQ20) - (1L << 40);
            long sQ20 = FixedPointMath.Isqrt(s2Q40);
            long nQ16 = (xQ20 << 16) / sQ20;
            long ratioQ16 = (_tQ16 << 40) / s2Q40;
            long correction = (((GapCalibrationTables.PiSquaredOver2Q16 * ratioQ16 * ratioQ16) >> 32) * nQ16) >> 16;
            long invSQ16 = (1L << 36) / sQ20;
            _pG = nQ16 + correction;
            // ∂G/∂w = t·∂n/∂x = −t/s³; at fixed x only the thermal term depends on kT.
            _pGw = -((ratioQ16 * invSQ16) >> 16);
            _pJDelta = -((xQ20 * _pGw) >> 20) - ((2 * _tQ16 * correction) >> 16);
            _pJT = 2 * correction;
        }

        /// <summary>
        /// The integer model G (Q16) at bias <paramref name="biasNv"/> for the given parameters, as the
        /// estimator evaluates it; for tests against the exact model.
        /// </summary>
        public int ModelConductanceQ16(long biasNv, long deltaNv, long kTNv, long v0Nv)
        {
            BuildRow(deltaNv, kTNv);
            long d = biasNv - v0Nv;
            EvaluatePoint(d < 0 ? -d : d, deltaNv);
            return (int)_pG;
        }

        private static long Abs(long value)
        {
            return value < 0 ? -value : value;
        }
    }
}
