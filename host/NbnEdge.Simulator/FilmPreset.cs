namespace NbnEdge.Simulator;

/// <summary>
/// A reference film of docs/DESIGN.md's table (Lorenz et al. 2026): the gap, the tip temperature of the
/// averaged-spectrum fit, the histogram spread, and the line the spectra were taken along.
/// </summary>
/// <param name="Name">preset name (film thickness)</param>
/// <param name="DeltaMeV">mean gap Δ in meV</param>
/// <param name="TipTemperatureK">effective tip temperature in K</param>
/// <param name="SigmaMeV">spread of Δ along the line in meV (the table gives none for the 25 nm film: a chosen value)</param>
/// <param name="LineLengthNm">length of the line of spectra in nm</param>
/// <param name="Positions">spectra positions along the line</param>
public sealed record FilmPreset(string Name, double DeltaMeV, double TipTemperatureK, double SigmaMeV, double LineLengthNm, int Positions)
{
    /// <summary>25 nm ALD NbN on silicon: Δ 2.11 meV, T_tip 3.03 K, 50 spectra along 70 nm (σ not reported: 0.03 meV chosen).</summary>
    public static FilmPreset Film25nm { get; } = new("25nm", 2.11, 3.03, 0.03, 70, 50);

    /// <summary>5 nm ALD NbN on sapphire: Δ 2.02 meV, T_tip 1.73 K, σ 0.04 meV, 200 spectra along 424 nm.</summary>
    public static FilmPreset Film5nm { get; } = new("5nm", 2.02, 1.73, 0.04, 424, 200);

    /// <summary>4 nm ALD NbN on silicon: Δ 1.60 meV, T_tip 2.27 K, σ 0.05 meV, 200 spectra along 424 nm.</summary>
    public static FilmPreset Film4nm { get; } = new("4nm", 1.60, 2.27, 0.05, 424, 200);

    /// <summary>Every preset.</summary>
    public static IReadOnlyList<FilmPreset> All { get; } = [Film25nm, Film5nm, Film4nm];

    /// <summary>The preset called <paramref name="name"/> (<c>25nm</c>, <c>5nm</c>, <c>4nm</c>; "nm" optional).</summary>
    public static FilmPreset Get(string name)
    {
        string key = name.Trim().ToLowerInvariant();
        if (!key.EndsWith("nm", StringComparison.Ordinal)) key += "nm";
        return All.FirstOrDefault(p => p.Name == key)
            ?? throw new ArgumentException($"unknown film preset '{name}': use 25nm, 5nm or 4nm", nameof(name));
    }
}
