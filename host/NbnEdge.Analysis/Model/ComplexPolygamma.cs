using System.Numerics;

namespace NbnEdge.Analysis.Model;

/// <summary>
/// The digamma function ψ(z) and trigamma ψ′(z) for Re z &gt; 0 (the Fermi function convolved with a
/// Lorentzian is ½ − Im ψ(½ + (Γ + iE)/(2πk_BT))/π). MathNet.Numerics has ψ for real arguments only.
/// </summary>
/// <remarks>
/// The recurrence ψ(z) = ψ(z + 1) − 1/z, ψ′(z) = ψ′(z + 1) + 1/z² moves |z| to at least 10, where the
/// asymptotic (Stirling) series to the z⁻¹³ term is accurate to ~1e−15 (its next term is B₁₄/(14 z¹⁴)).
/// </remarks>
internal static class ComplexPolygamma
{
    /// <summary>ψ(z) and ψ′(z); <paramref name="z"/> must have a positive real part.</summary>
    public static void DigammaTrigamma(Complex z, out Complex digamma, out Complex trigamma)
    {
        if (!(z.Real > 0)) throw new ArgumentOutOfRangeException(nameof(z), z, "Re z must be positive.");
        Complex shiftPsi = Complex.Zero, shiftPsi1 = Complex.Zero;
        while (z.Magnitude < 10)
        {
            var inv = 1.0 / z;
            shiftPsi -= inv;
            shiftPsi1 += inv * inv;
            z += 1.0;
        }
        var r = 1.0 / z;
        var r2 = r * r;
        // ψ(z) ~ ln z − 1/(2z) − Σ B₂ₖ/(2k z^{2k});  ψ′(z) ~ 1/z + 1/(2z²) + Σ B₂ₖ/z^{2k+1}.
        var psiSeries = r2 * (1.0 / 12 - r2 * (1.0 / 120 - r2 * (1.0 / 252 - r2 * (1.0 / 240 - r2 * (1.0 / 132 - r2 * (691.0 / 32760))))));
        digamma = Complex.Log(z) - 0.5 * r - psiSeries + shiftPsi;
        var psi1Series = r * r2 * (1.0 / 6 - r2 * (1.0 / 30 - r2 * (1.0 / 42 - r2 * (1.0 / 30 - r2 * (5.0 / 66 - r2 * (691.0 / 2730))))));
        trigamma = r + 0.5 * r2 + psi1Series + shiftPsi1;
    }
}
