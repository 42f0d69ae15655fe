using PureHDF;

namespace NbnEdge.Export;

/// <summary>
/// <c>--out FILE.h5</c>: a NeXus-style HDF5 file (groups carry <c>NX_class</c>, datasets their
/// <c>units</c>), written with PureHDF (no native library), readable by h5py:
/// <list type="bullet">
/// <item><c>/entry/data</c> (NXdata): <c>bias_mV</c> and <c>conductance</c>, spectra × points,
/// NaN-padded when spectra differ in length; <c>spectrum</c> and <c>source</c> names.</item>
/// <item><c>/entry/fits</c>: one dataset per fit column of <c>fit --json</c> (same names), and
/// <c>flag</c>.</item>
/// <item><c>/entry/settings</c>: the run's settings as string attributes.</item>
/// <item><c>/entry/statistics</c> (stats, map): scalars named as in <c>stats --json</c>, the histogram,
/// and <c>variogram/</c> when the spectra have positions.</item>
/// </list>
/// </summary>
public static class Hdf5ResultsWriter
{
    /// <summary>Writes <paramref name="export"/> to <paramref name="path"/> (replacing it).</summary>
    public static void Write(string path, ResultsExport export)
    {
        ArgumentNullException.ThrowIfNull(export);
        var spectra = export.Spectra;
        int n = spectra.Count;
        int width = n == 0 ? 0 : spectra.Max(s => s.Spectrum.Count);
        var bias = new double[n, width];
        var conductance = new double[n, width];
        for (int i = 0; i < n; i++)
        {
            var s = spectra[i].Spectrum;
            for (int p = 0; p < width; p++)
            {
                bias[i, p] = p < s.Count ? s.BiasMV[p] : double.NaN;
                conductance[i, p] = p < s.Count ? s.Conductance[p] : double.NaN;
            }
        }

        var data = new H5Group
        {
            ["bias_mV"] = Dataset(bias, "mV", "bias of each point, one row per spectrum (NaN-padded)"),
            ["conductance"] = Dataset(conductance, "a.u.", "dI/dV in the channel's units, one row per spectrum (NaN-padded)"),
            ["spectrum"] = spectra.Select(s => s.Fit.Spectrum).ToArray(),
            ["source"] = spectra.Select(s => s.Fit.Source).ToArray(),
            Attributes = new()
            {
                ["NX_class"] = "NXdata",
                ["signal"] = "conductance",
            },
        };

        var fits = new H5Group { Attributes = new() { ["NX_class"] = "NXcollection" } };
        foreach (var (name, unit, value) in ResultsExport.FitColumns)
            fits[name] = Dataset(spectra.Select(value).ToArray(), unit, null);
        fits["flag"] = spectra.Select(s => s.Fit.Flag).ToArray();
        fits["spectrum"] = spectra.Select(s => s.Fit.Spectrum).ToArray();

        var settings = new H5Group { Attributes = new() { ["NX_class"] = "NXparameters" } };
        foreach (var (name, value) in export.Settings) settings.Attributes[name] = value;

        var entry = new H5Group
        {
            ["data"] = data,
            ["fits"] = fits,
            ["settings"] = settings,
            Attributes = new()
            {
                ["NX_class"] = "NXentry",
                ["program_name"] = "nbnedge",
                ["program_version"] = export.ProgramVersion,
                ["command"] = export.Command,
                ["spectra"] = n,
            },
        };
        if (export.Statistics is not null || export.Spatial is not null) entry["statistics"] = Statistics(export);

        var file = new H5File
        {
            ["entry"] = entry,
            Attributes = new()
            {
                ["default"] = "entry",
                ["creator"] = "nbnedge " + export.ProgramVersion,
            },
        };
        file.Write(path);
    }

    private static H5Group Statistics(ResultsExport export)
    {
        var group = new H5Group { Attributes = new() { ["NX_class"] = "NXcollection" } };
        foreach (var (name, unit, value) in export.StatisticsFields())
            group[name] = Dataset(value, unit, null);
        if (export.Statistics is { } h)
        {
            group["histogram"] = new H5Group
            {
                ["edges_meV"] = Dataset(h.Histogram.EdgesMeV.ToArray(), "meV", null),
                ["counts"] = Dataset(h.Histogram.Counts.Select(c => (double)c).ToArray(), "", null),
            };
            group["outliers"] = h.Outliers.ToArray();
        }
        if (export.Spatial is { } s)
        {
            group["variogram"] = new H5Group
            {
                ["lag_nm"] = Dataset(s.Variogram.Select(b => b.LagNm).ToArray(), "nm", null),
                ["semivariance_meV2"] = Dataset(s.Variogram.Select(b => b.CorrectedMeV2).ToArray(), "meV^2", "fit-error nugget removed"),
                ["raw_semivariance_meV2"] = Dataset(s.Variogram.Select(b => b.RawMeV2).ToArray(), "meV^2", null),
                ["fit_error_nugget_meV2"] = Dataset(s.Variogram.Select(b => b.FitErrorNuggetMeV2).ToArray(), "meV^2", null),
                ["pairs"] = Dataset(s.Variogram.Select(b => (double)b.Pairs).ToArray(), "", null),
                Attributes = new() { ["model"] = "exponential: gamma(h) = nugget + partial_sill * (1 - exp(-h/xi))" },
            };
        }
        return group;
    }

    private static H5Dataset Dataset(object data, string unit, string? description)
    {
        var d = new H5Dataset(data);
        if (unit.Length > 0) d.Attributes["units"] = unit;
        if (description is not null) d.Attributes["description"] = description;
        return d;
    }
}
