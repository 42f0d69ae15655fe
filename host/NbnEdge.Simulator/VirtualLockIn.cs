using NbnEdge.Analysis.Model;
using NbnEdge.Firmware.Boards;

namespace NbnEdge.Simulator;

/// <summary>What the virtual STM did at one position: the truth a spectrum is compared to.</summary>
/// <param name="Position">index along the line</param>
/// <param name="XNm">tip position in nm</param>
/// <param name="DeltaMeV">Δ there, in meV</param>
/// <param name="TemperatureK">tip temperature in K</param>
/// <param name="BiasOffsetUv">V₀ there, in µV</param>
/// <param name="Scale">lock-in output at the normal-state conductance, in V</param>
public sealed record PositionTruth(int Position, double XNm, double DeltaMeV, double TemperatureK, double BiasOffsetUv, double Scale);

/// <summary>
/// The STM and its lock-in amplifier as the converter sees them through the board's front end:
/// per position, a setpoint dwell (the tip moves), a forward sweep −V..+V in equal steps and a
/// backward sweep back, each point held <see cref="SimulationSettings.DwellMs"/>. Channel 0 is the
/// bias monitor (junction bias × the monitor ratio, ÷ the front end), channel 1 the lock-in X
/// output (÷ the front end): the modulation-broadened conductance G(V − V₀) times the scale, with
/// a first-order output filter, per-point noise and per-sample noise.
/// </summary>
public sealed class VirtualLockIn : IAnalogInputs
{
    private readonly SimulationSettings _s;
    private readonly BoardDefinition _board;
    private readonly GapProfile _profile;
    private readonly Random _rng;
    private readonly double _dwellS, _setpointS, _positionS, _tau;
    private readonly int _positions;
    private readonly double[] _gauss;   // Gauss–Chebyshev (2nd kind) nodes on [−1, 1]
    private readonly double[] _weights; // and weights including the 2/π normalisation
    private int _cachedPosition = -1;
    private double[] _g = [];
    private double _gSetpoint;
    private long _plateau = -1;
    private double _plateauStartS, _outputAtStartV, _pointNoise;

    /// <summary>Creates the lock-in for <paramref name="settings"/> on <paramref name="board"/>'s front end.</summary>
    public VirtualLockIn(SimulationSettings settings, BoardDefinition board)
    {
        _s = settings;
        _board = board;
        _positions = settings.EffectivePositions;
        _profile = new GapProfile(settings.Film.DeltaMeV, settings.EffectiveSigmaMeV, _positions, settings.Film.LineLengthNm,
            settings.SmoothVarianceFraction, settings.CorrelationLengthNm, settings.Seed);
        _rng = new Random(settings.Seed ^ 0x5EED);
        _dwellS = settings.DwellMs * 1e-3;
        _setpointS = settings.SetpointDwellMs * 1e-3;
        _positionS = _setpointS + (2 * settings.Points - 1) * _dwellS;
        _tau = settings.LockInTimeConstantMs * 1e-3;
        const int nodes = 8;
        _gauss = new double[nodes];
        _weights = new double[nodes];
        for (int i = 1; i <= nodes; i++)
        {
            double theta = i * Math.PI / (nodes + 1);
            _gauss[i - 1] = Math.Cos(theta);
            // ∫ f(x) (2/π)√(1−x²) dx ≈ Σ (2/π)·π/(n+1)·sin²θ_i f(x_i): χ(ε) with ε = V_m x.
            _weights[i - 1] = 2.0 / (nodes + 1) * Math.Sin(theta) * Math.Sin(theta);
        }
    }

    /// <summary>The Δ profile along the line.</summary>
    public GapProfile Profile => _profile;

    /// <summary>Seconds one position takes (setpoint, forward and backward sweep).</summary>
    public double SecondsPerPosition => _positionS;

    /// <summary>Whether the line is done (no more spectra) at <paramref name="timeSeconds"/>.</summary>
    public bool Finished(double timeSeconds) => !_s.Repeat && (long)(timeSeconds / _positionS) >= _positions;

    /// <summary>The truth at position <paramref name="position"/> (index along the line, 0-based; wraps when repeating).</summary>
    public PositionTruth Truth(int position)
    {
        int p = position % _positions;
        return new PositionTruth(p, _profile.PositionsNm[p], _profile.DeltaMeV[p], _s.Film.TipTemperatureK,
            _s.BiasOffsetUv + _s.BiasDriftUvPerPosition * position, _s.LockInVoltsAtNormal * (1 + _s.ScaleDriftPerPosition * position));
    }

    /// <summary>Which position and phase the sweep is in at <paramref name="timeSeconds"/>: bias point index (−1 at the setpoint).</summary>
    public (int Position, int PointIndex, long Plateau) Where(double timeSeconds)
    {
        long position = (long)(timeSeconds / _positionS);
        if (!_s.Repeat && position >= _positions)
        {
            return (_positions - 1, -1, -1 - position);
        }

        double inPosition = timeSeconds - position * _positionS;
        if (inPosition < _setpointS)
        {
            return ((int)position, -1, position * 2 * _s.Points);
        }

        long step = (long)((inPosition - _setpointS) / _dwellS);
        int n = _s.Points;
        int index = step < n ? (int)step : (int)(2 * (n - 1) - step);
        return ((int)position, index, position * 2 * _s.Points + 1 + step);
    }

    /// <inheritdoc />
    public void Sample(double timeSeconds, Span<double> volts)
    {
        (int position, int index, long plateau) = Where(timeSeconds);
        PositionTruth truth = Truth(position);
        double biasMV = index < 0 ? _s.SetpointMV : -_s.BiasRangeMV + index * (2 * _s.BiasRangeMV / (_s.Points - 1));
        if (plateau != _plateau)
        {
            // A new bias point: the output starts from where it was and relaxes to the new value.
            double start = StartOf(timeSeconds);
            _outputAtStartV = _plateau == -1 ? Target(position, index, biasMV, truth) : OutputAt(start);
            _plateau = plateau;
            _plateauStartS = start;
            _pointNoise = SimulationMath.Gaussian(_rng) * _s.NoiseFraction * truth.Scale;
            _lastTarget = Target(position, index, biasMV, truth) + _pointNoise;
        }

        double x = OutputAt(timeSeconds) + SimulationMath.Gaussian(_rng) * _s.SignalSampleNoiseUv * 1e-6;
        double junctionV = biasMV * 1e-3 + SimulationMath.Gaussian(_rng) * _s.BiasNoiseUv * 1e-6;
        double attenuation = _board.FrontEndAttenuation;
        volts[0] = junctionV * _board.BiasMonitorRatio / attenuation;
        volts[1] = x / attenuation;
        volts[2] = 0;
        volts[3] = 0;
    }

    private double _lastTarget;

    private double OutputAt(double timeSeconds)
    {
        double dt = Math.Max(0, timeSeconds - _plateauStartS);
        return _lastTarget + (_outputAtStartV - _lastTarget) * Math.Exp(-dt / _tau);
    }

    private double StartOf(double timeSeconds)
    {
        long position = (long)(timeSeconds / _positionS);
        double inPosition = timeSeconds - position * _positionS;
        if (inPosition < _setpointS) return position * _positionS;
        long step = (long)((inPosition - _setpointS) / _dwellS);
        return position * _positionS + _setpointS + step * _dwellS;
    }

    private double Target(int position, int index, double biasMV, PositionTruth truth)
    {
        if (position != _cachedPosition)
        {
            _g = new double[_s.Points];
            for (int i = 0; i < _s.Points; i++)
            {
                _g[i] = LockInConductance(-_s.BiasRangeMV + i * (2 * _s.BiasRangeMV / (_s.Points - 1)), truth);
            }

            _gSetpoint = LockInConductance(_s.SetpointMV, truth);
            _cachedPosition = position;
        }

        double g = index < 0 ? _gSetpoint : _g[index];
        return truth.Scale * g * (1 + _s.BackgroundSlopePerMV * biasMV);
    }

    /// <summary>The lock-in's first harmonic: G(V − V₀) convolved with the modulation kernel χ (docs/DESIGN.md item 3).</summary>
    public double LockInConductance(double biasMV, PositionTruth truth)
    {
        double delta = truth.DeltaMeV;
        double t = SimulationMath.BoltzmannMeVPerK * truth.TemperatureK / delta;
        double vm = _s.ModulationUvPeakToPeak * 0.5e-3;
        double v = biasMV - truth.BiasOffsetUv * 1e-3;
        if (vm <= 0)
        {
            return G(v / delta, t);
        }

        double sum = 0;
        for (int i = 0; i < _gauss.Length; i++)
        {
            sum += _weights[i] * G((v + vm * _gauss[i]) / delta, t);
        }

        return sum;
    }

    private double G(double x, double t) => _s.Model == ConductanceModel.Table
        ? BcsConductanceTable.Default.Conductance(x, t)
        : ExactBcsIntegral.Conductance(x, t);
}
