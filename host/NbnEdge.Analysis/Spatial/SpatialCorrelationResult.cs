namespace NbnEdge.Analysis.Spatial;

/// <summary>Settings for <see cref="SpatialCorrelation.Analyse"/>.</summary>
public sealed record SpatialOptions
{
    /// <summary>
    /// Bootstrap draws for the ξ_Δ interval (≥ 100): data sets simulated at the fitted ξ_Δ, and
    /// half as many at each end of the interval (<see cref="SpatialIntervalMethod.ParametricBootstrap"/>);
    /// or block resamples (<see cref="SpatialIntervalMethod.BlockBootstrap"/>).
    /// </summary>
    public int BootstrapResamples { get; init; } = 500;

    /// <summary>Permutations for the test of no spatial correlation (≥ 99).</summary>
    public int Permutations { get; init; } = 999;

    /// <summary>Two-sided confidence level of the ξ_Δ interval.</summary>
    public double ConfidenceLevel { get; init; } = 0.95;

    /// <summary>p-value below which Δ is called spatially correlated.</summary>
    public double SignificanceLevel { get; init; } = 0.05;

    /// <summary>Seed of the bootstrap and the permutations, so a report is reproducible.</summary>
    public int Seed { get; init; } = HomogeneityOptions.DefaultSeed;

    /// <summary>Largest lag of the variogram in nm; null takes half the largest distance between two points.</summary>
    public double? MaxLagNm { get; init; }

    /// <summary>The defaults.</summary>
    public static SpatialOptions Default { get; } = new();
}

/// <summary>One lag bin of the empirical semivariogram.</summary>
/// <param name="LagNm">Mean distance of the bin's pairs, in nm.</param>
/// <param name="RawMeV2">½⟨(Δᵢ − Δⱼ)²⟩ of the bin's pairs, in meV².</param>
/// <param name="FitErrorNuggetMeV2">½⟨σᵢ² + σⱼ²⟩: what the fit errors alone add, in meV².</param>
/// <param name="Pairs">Pairs in the bin.</param>
public sealed record VariogramBin(double LagNm, double RawMeV2, double FitErrorNuggetMeV2, int Pairs)
{
    /// <summary>The semivariance of the true Δ: raw less the fit-error nugget, in meV².</summary>
    public double CorrectedMeV2 => RawMeV2 - FitErrorNuggetMeV2;
}

/// <summary>
/// The anisotropy check of a map: ξ_Δ fitted separately to the pairs within 22.5° of the x axis
/// and of the y axis, and the interval of their ratio (from isotropic simulations of the fitted
/// model, or from the block bootstrap: <see cref="SpatialCorrelationResult.IntervalMethod"/>).
/// </summary>
/// <param name="CorrelationLengthXNm">ξ along x, in nm.</param>
/// <param name="CorrelationLengthYNm">ξ along y, in nm.</param>
/// <param name="RatioXOverY">ξ_x / ξ_y.</param>
/// <param name="RatioLower">Lower end of the ratio's interval.</param>
/// <param name="RatioUpper">Upper end of the ratio's interval.</param>
/// <param name="Anisotropic">True when the interval excludes 1.</param>
public sealed record SpatialAnisotropy(double CorrelationLengthXNm, double CorrelationLengthYNm, double RatioXOverY,
    double RatioLower, double RatioUpper, bool Anisotropic);

/// <summary>How <see cref="SpatialCorrelationResult"/>'s intervals were found.</summary>
public enum SpatialIntervalMethod
{
    /// <summary>
    /// Data sets simulated from the fitted model at the measured positions (a line, or a map on a
    /// lattice), the estimator rerun on each, the bootstrap's test of each ξ inverted.
    /// </summary>
    ParametricBootstrap,

    /// <summary>Along a line: ξ by restricted maximum likelihood (exact, by a Kalman filter) and its profile-likelihood interval.</summary>
    ProfileLikelihood,

    /// <summary>Blocks of the data resampled (scattered map points, or too many points to simulate); too narrow when the data hold few blocks of several ξ.</summary>
    BlockBootstrap,
}

/// <summary>
/// On what length scale Δ varies: the empirical semivariogram (fit errors removed as a nugget),
/// the fitted exponential model with its correlation length ξ_Δ and bootstrap interval, the
/// permutation test of "no spatial correlation", and for maps the anisotropy check.
/// </summary>
public sealed record SpatialCorrelationResult
{
    /// <summary>Points (spectra with a usable Δ and a position).</summary>
    public required int Count { get; init; }

    /// <summary>True for a map (positions spread in two directions), false for a line.</summary>
    public required bool IsMap { get; init; }

    /// <summary>Median nearest-neighbour distance, in nm: the variogram's bin width.</summary>
    public required double SpacingNm { get; init; }

    /// <summary>Largest lag of the variogram, in nm.</summary>
    public required double MaxLagNm { get; init; }

    /// <summary>The binned empirical semivariogram (radially averaged for maps).</summary>
    public required IReadOnlyList<VariogramBin> Variogram { get; init; }

    /// <summary>The exponential model fitted to the corrected semivariances.</summary>
    public required ExponentialVariogram Model { get; init; }

    /// <summary>ξ_Δ, the 1/e correlation length of Δ, in nm.</summary>
    public double CorrelationLengthNm => Model.CorrelationLengthNm;

    /// <summary>How the interval of ξ_Δ (and of the anisotropy ratio) was found.</summary>
    public required SpatialIntervalMethod IntervalMethod { get; init; }

    /// <summary>Lower end of the interval of ξ_Δ, in nm (the smallest ξ searched when the data give no length).</summary>
    public required double CorrelationLengthLowerNm { get; init; }

    /// <summary>Upper end of the interval of ξ_Δ, in nm (the largest ξ searched, the points' largest distance, when the data do not bound ξ from above).</summary>
    public required double CorrelationLengthUpperNm { get; init; }

    /// <summary>Confidence level of the interval.</summary>
    public required double ConfidenceLevel { get; init; }

    /// <summary>
    /// p-value of the permutation test of "Δ does not depend on position" (white noise): how often
    /// shuffled positions give neighbours at least as alike as the measured ones.
    /// </summary>
    public required double PValue { get; init; }

    /// <summary>True when <see cref="PValue"/> is below <see cref="SignificanceLevel"/>.</summary>
    public required bool SpatiallyCorrelated { get; init; }

    /// <summary>The test's level.</summary>
    public required double SignificanceLevel { get; init; }

    /// <summary>Distance within which pairs count as neighbours in the test, in nm.</summary>
    public required double NeighbourDistanceNm { get; init; }

    /// <summary>Side of the block bootstrap's blocks (along the line, or square tiles of a map), in nm; NaN for the parametric bootstrap.</summary>
    public required double BlockSizeNm { get; init; }

    /// <summary>Blocks holding points (block bootstrap); 0 for the parametric bootstrap.</summary>
    public required int Blocks { get; init; }

    /// <summary>Bootstrap resamples used.</summary>
    public required int BootstrapResamples { get; init; }

    /// <summary>Permutations used by the test.</summary>
    public required int Permutations { get; init; }

    /// <summary>Seed used.</summary>
    public required int Seed { get; init; }

    /// <summary>
    /// Standard error of the mean Δ with the spatial correlation taken into account, in meV:
    /// √(Σᵢⱼ C(hᵢⱼ) + Σᵢ σᵢ²)/n with the fitted covariance C. Neighbouring spectra that share their
    /// Δ do not average out, so this exceeds SD/√n when ξ_Δ spans several spacings.
    /// </summary>
    public required double MeanErrorMeV { get; init; }

    /// <summary>
    /// True when the fit carries no length: ξ stopped at a search limit (a variogram flat from the
    /// first lag, or still rising at the last) or the correlated part is 0. The interval is then the
    /// whole search range, and ξ_Δ is not a result.
    /// </summary>
    public bool AtSearchLimit { get; init; }

    /// <summary>The anisotropy check (maps only); null for a line or too few pairs along an axis.</summary>
    public SpatialAnisotropy? Anisotropy { get; init; }
}
