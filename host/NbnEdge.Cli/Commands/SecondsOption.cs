using System.CommandLine;
using System.Globalization;

namespace NbnEdge.Cli.Commands;

/// <summary>
/// A duration in seconds given on the command line (--linger, --duration): a finite number from 0
/// to <see cref="MaxSeconds"/>, or a usage error (exit 2) naming the option, instead of a timer
/// that throws deep inside a run.
/// </summary>
internal static class SecondsOption
{
    /// <summary>The longest wait a .NET timer takes (2^32 − 2 ms, about 49 days), in whole seconds.</summary>
    public const double MaxSeconds = 4_294_967;

    /// <summary>Adds the check to <paramref name="option"/> and returns it.</summary>
    public static Option<double?> Checked(Option<double?> option)
    {
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && double.TryParse(r.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s)
                && !(s >= 0 && s <= MaxSeconds))
                r.AddError($"{option.Name} {r.Tokens[0].Value}: seconds must be a number from 0 to {MaxSeconds.ToString(CultureInfo.InvariantCulture)}.");
        });
        return option;
    }
}
