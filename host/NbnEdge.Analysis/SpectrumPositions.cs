namespace NbnEdge.Analysis;

/// <summary>Where each spectrum was taken, in nm: a line (y = 0) or a map.</summary>
/// <param name="XNm">x, or the distance along the line.</param>
/// <param name="YNm">y (0 along a line).</param>
/// <param name="Kind">"line", "grid" (a grid file's pixels) or "points" (point spectra' tip positions over an area).</param>
public sealed record SpectrumPositions(double[] XNm, double[] YNm, string Kind);
