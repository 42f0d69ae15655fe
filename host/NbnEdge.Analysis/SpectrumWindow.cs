using System.Globalization;

namespace NbnEdge.Analysis;

/// <summary>A spectrum cut to the points within a bias window around zero (the CLI's --bias-window).</summary>
public static class SpectrumWindow
{
    /// <summary>
    /// The points of <paramref name="spectrum"/> with |V| ≤ <paramref name="halfWidthMV"/>, its single
    /// sweeps cut alike, and a note saying how many were kept. A window that keeps fewer than
    /// <see cref="Spectrum.MinimumPoints"/> points is an <see cref="InputDataException"/> naming the
    /// sweep's range.
    /// </summary>
    public static Spectrum Within(Spectrum spectrum, double halfWidthMV)
    {
        ArgumentNullException.ThrowIfNull(spectrum);
        int n = spectrum.BiasMV.Length;
        var keep = new List<int>(n);
        for (int i = 0; i < n; i++)
            if (Math.Abs(spectrum.BiasMV[i]) <= halfWidthMV) keep.Add(i);
        if (keep.Count == n) return spectrum;
        var ci = CultureInfo.InvariantCulture;
        if (keep.Count < Spectrum.MinimumPoints)
            throw new InputDataException(spectrum.Source, string.Create(ci,
                $"{spectrum.Name}: --bias-window {halfWidthMV:G4} keeps {keep.Count} of {n} points (the sweep runs from {spectrum.BiasMV.Min():G4} to {spectrum.BiasMV.Max():G4} mV); a spectrum needs at least {Spectrum.MinimumPoints}."));
        double[] Cut(double[] values) => keep.Select(i => values[i]).ToArray();
        return new Spectrum
        {
            Source = spectrum.Source,
            Name = spectrum.Name,
            BiasMV = Cut(spectrum.BiasMV),
            Conductance = Cut(spectrum.Conductance),
            Metadata = spectrum.Metadata,
            Notes = [.. spectrum.Notes, string.Create(ci, $"--bias-window: the {keep.Count} of {n} points within ±{halfWidthMV:G4} mV are kept")],
            XNm = spectrum.XNm,
            YNm = spectrum.YNm,
            PixelX = spectrum.PixelX,
            PixelY = spectrum.PixelY,
            ModulationAmplitudeMV = spectrum.ModulationAmplitudeMV,
            Sweeps = spectrum.Sweeps.Select(w => w with { Conductance = Cut(w.Conductance) }).ToList(),
            Incomplete = spectrum.Incomplete,
        };
    }
}
