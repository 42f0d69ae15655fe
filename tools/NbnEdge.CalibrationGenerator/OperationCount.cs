namespace NbnEdge.CalibrationGenerator;
public static class OperationCount { public static void Print(TextWriter o, int points) { } }
