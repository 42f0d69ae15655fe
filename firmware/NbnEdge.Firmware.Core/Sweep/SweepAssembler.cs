namespace NbnEdge.Firmware.Sweep
{
    /// <summary>
    /// Cuts the stream of simultaneous (bias, signal) samples into spectra by the bias itself: a
    /// jump of the bias beyond <see cref="StepThresholdCodes"/> starts a new bias point; the first
    /// <see cref="SettleSamples"/> samples after it are dropped (lock-in and filters settling); the
    /// rest (at most <see cref="MaxAveragedSamples"/>, 0 = all) are averaged into the point.
    /// Consecutive points form a sweep while their steps keep one sign and about one size
    /// (between half and twice the first step); a step that breaks that pattern (a reversal, the
    /// jump back to the feedback setpoint) ends the sweep. With <see cref="PointsPerSpectrum"/> set,
    /// a sweep is a spectrum when it reaches that many points, and shorter ones are counted in
    /// <see cref="IncompleteSweeps"/>; with 0, any sweep of at least <see cref="MinimumPoints"/> is.
    /// All buffers are allocated in the constructor.
    /// </summary>
    public sealed class SweepAssembler
    {
        private readonly ISpectrumSink _sink;
        private readonly int[] _bias;
        private readonly int[] _signal;
        private readonly bool[] _overranged;
        private int _count;
        private int _runStep;

        private bool _inPlateau;
        private int _settleRemaining;
        private int _lastBias;
        private long _sumBias;
        private long _sumSignal;
        private int _averaged;
        private bool _plateauOverranged;
        private bool _pointClosed;

        /// <summary>Samples dropped after each step while the front end settles.</summary>
        public int SettleSamples;
        /// <summary>Most samples averaged into one point; 0 averages the whole plateau.</summary>
        public int MaxAveragedSamples;
        /// <summary>Bias change, in codes, that counts as a new point (well above the bias monitor's noise).</summary>
        public int StepThresholdCodes = 1000;
        /// <summary>Points per spectrum, or 0 to take whole sweeps of any length.</summary>
        public int PointsPerSpectrum;
        /// <summary>Fewest points an automatically delimited sweep needs to count as a spectrum.</summary>
        public int MinimumPoints = 8;

        /// <summary>Spectra handed to the sink.</summary>
        public uint SpectraCompleted;
        /// <summary>Sweeps of at least <see cref="MinimumPoints"/> that ended before <see cref="PointsPerSpectrum"/>.</summary>
        public uint IncompleteSweeps;
        /// <summary>Samples dropped inside settling windows.</summary>
        public uint SettlingSamplesDropped;
        /// <summary>Bias plateaus too short to leave any sample after settling.</summary>
        public uint EmptyPoints;

        /// <summary>Creates an assembler holding up to <paramref name="capacityPoints"/> points per sweep.</summary>
        public SweepAssembler(ISpectrumSink sink, int capacityPoints)
        {
            _sink = sink;
            _bias = new int[capacityPoints];
            _signal = new int[capacityPoints];
            _overranged = new bool[capacityPoints];
        }

        /// <summary>Most points one sweep can hold.</summary>
        public int Capacity
        {
            get { return _bias.Length; }
        }

        /// <summary>Points of the sweep in progress.</summary>
        public int PointsInProgress
        {
            get { return _count; }
        }

        /// <summary>Direction of the sweep in progress: +1 rising bias, −1 falling, 0 not known yet.</summary>
        public int Direction
        {
            get { return _count < 2 ? 0 : (_runStep > 0 ? 1 : -1); }
        }

        /// <summary>Forgets the sweep and plateau in progress (at START, or after an ADC recovery).</summary>
        public void Reset()
        {
            _count = 0;
            _runStep = 0;
            _inPlateau = false;
            _averaged = 0;
            _sumBias = 0;
            _sumSignal = 0;
        }

        /// <summary>Feeds one simultaneous sample; <paramref name="clipped"/> marks a channel at full scale.</summary>
        public void AddSample(int biasCode, int signalCode, bool clipped)
        {
            if (!_inPlateau)
            {
                StartPlateau(biasCode);
            }
            else if (_settleRemaining == 0 && Abs(biasCode - PlateauReference()) > StepThresholdCodes)
            {
                ClosePlateau();
                StartPlateau(biasCode);
            }

            if (_settleRemaining > 0)
            {
                _settleRemaining--;
                _lastBias = biasCode;
                SettlingSamplesDropped++;
                return;
            }

            if (_pointClosed)
            {
                // The point already has its samples; the rest of the plateau only serves step detection.
                return;
            }

            _sumBias += biasCode;
            _sumSignal += signalCode;
            _averaged++;
            _lastBias = biasCode;
            if (clipped)
            {
                _plateauOverranged = true;
            }

            if (MaxAveragedSamples > 0 && _averaged == MaxAveragedSamples)
            {
                ClosePoint();
            }
        }

        private int PlateauReference()
        {
            // The mean of the averaged samples is steadier than any single one; a closed point keeps its mean.
            return _averaged > 0 ? (int)(_sumBias / _averaged) : _lastBias;
        }

        private void StartPlateau(int biasCode)
        {
            _inPlateau = true;
            _settleRemaining = SettleSamples;
            _lastBias = biasCode;
            _sumBias = 0;
            _sumSignal = 0;
            _averaged = 0;
            _plateauOverranged = false;
            _pointClosed = false;
        }

        private void ClosePlateau()
        {
            if (_pointClosed)
            {
                return;
            }

            if (_averaged == 0)
            {
                EmptyPoints++;
                return;
            }

            ClosePoint();
        }

        private void ClosePoint()
        {
            int bias = RoundedMean(_sumBias, _averaged);
            int signal = RoundedMean(_sumSignal, _averaged);
            _pointClosed = true;
            AddPoint(bias, signal, _plateauOverranged);
        }

        private void AddPoint(int bias, int signal, bool overranged)
        {
            if (_count >= 2 && !ContinuesSweep(bias - _bias[_count - 1]))
            {
                EndSweep();
            }

            if (_count == _bias.Length)
            {
                EndSweep();
            }

            _bias[_count] = bias;
            _signal[_count] = signal;
            _overranged[_count] = overranged;
            _count++;
            if (_count == 2)
            {
                _runStep = _bias[1] - _bias[0];
            }

            if (PointsPerSpectrum > 0 && _count == PointsPerSpectrum)
            {
                Emit();
                KeepLastPointAsStart();
            }
        }

        private bool ContinuesSweep(int step)
        {
            if ((step > 0) != (_runStep > 0))
            {
                return false;
            }

            int size = Abs(step);
            int reference = Abs(_runStep);
            return size <= 2 * reference && 2 * size >= reference;
        }

        private void EndSweep()
        {
            if (PointsPerSpectrum == 0 && _count >= MinimumPoints)
            {
                Emit();
            }
            else if (_count >= MinimumPoints)
            {
                IncompleteSweeps++;
            }

            KeepLastPointAsStart();
        }

        private void KeepLastPointAsStart()
        {
            // The end point of one sweep may be the first of the next (the backward sweep starts where the forward one stopped).
            if (_count > 0)
            {
                _bias[0] = _bias[_count - 1];
                _signal[0] = _signal[_count - 1];
                _overranged[0] = _overranged[_count - 1];
                _count = 1;
            }

            _runStep = 0;
        }

        private void Emit()
        {
            SpectraCompleted++;
            _sink.OnSpectrum(_bias, _signal, _overranged, _count, _runStep < 0);
        }

        /// <summary>Mean of <paramref name="count"/> values summing to <paramref name="sum"/>, rounded half away from zero.</summary>
        public static int RoundedMean(long sum, int count)
        {
            long half = count / 2;
            return (int)(sum >= 0 ? (sum + half) / count : -((-sum + half) / count));
        }

        private static int Abs(int value)
        {
            return value < 0 ? -value : value;
        }
    }
}
