namespace NbnEdge.Instruments;

/// <summary>The checks every reader applies before a list of points may become a Spectrum.</summary>
internal static class SpectrumPoints
{
    /// <summary>
    /// Removes points where bias or conductance is not finite, keeping order, and returns how many are
    /// left; <paramref name="originalIndex"/> receives, for each kept point, its index before removal.
    /// </summary>
    public static int DropNonFinite(double[] bias, double[] conductance, int count, int[] originalIndex,
        out int dropped, out int firstDropped, out int lastDropped)
    {
        int kept = 0;
        dropped = 0; firstDropped = -1; lastDropped = -1;
        for (int i = 0; i < count; i++)
        {
            if (double.IsFinite(bias[i]) && double.IsFinite(conductance[i]))
            {
                bias[kept] = bias[i];
                conductance[kept] = conductance[i];
                originalIndex[kept] = i;
                kept++;
            }
            else
            {
                dropped++;
                if (firstDropped < 0) firstDropped = i;
                lastDropped = i;
            }
        }
        return kept;
    }

    /// <summary>Index of the first point that breaks strict monotonicity (direction set by the first step), or −1.</summary>
    public static int FirstNonMonotonic(ReadOnlySpan<double> bias)
    {
        if (bias.Length < 2) return -1;
        bool rising = bias[1] > bias[0];
        for (int i = 1; i < bias.Length; i++)
        {
            double step = bias[i] - bias[i - 1];
            if (rising ? !(step > 0) : !(step < 0)) return i; // !(x > 0) also catches NaN
        }
        return -1;
    }
}
