namespace NbnEdge.Cli.Live;

/// <summary>
/// docs/DESIGN.md's reference table (Lorenz et al. 2026) for the simulator's film presets: the demo
/// takes R_□ and T_c from here (the simulator measures only Δ) and shows the paper's figures next
/// to the measured ones.
/// </summary>
/// <param name="Preset">simulator preset name</param>
/// <param name="Label">film as the table names it</param>
/// <param name="ThicknessNm">d in nm</param>
/// <param name="TcK">T_c in K</param>
/// <param name="RSheetOhm">R_□ in Ω</param>
/// <param name="DeltaMeV">the paper's Δ in meV</param>
/// <param name="LSheetPH">the paper's L_□ in pH</param>
/// <param name="DeltaOverKTc">the paper's Δ/k_BT_c</param>
internal sealed record FilmReference(string Preset, string Label, double ThicknessNm, double TcK, double RSheetOhm, double DeltaMeV, double LSheetPH, double DeltaOverKTc)
{
    public static IReadOnlyList<FilmReference> All { get; } =
    [
        new("25nm", "ALD NbN on silicon, 25 nm", 25, 13.8, 80, 2.11, 7.94, 1.77),
        new("5nm", "ALD NbN on sapphire, 5 nm", 5, 10.4, 900, 2.02, 93.4, 2.25),
        new("4nm", "ALD NbN on silicon, 4 nm", 4, 8.7, 1400, 1.60, 183, 2.13),
    ];

    public static FilmReference For(string preset) => All.First(f => f.Preset == preset);
}
