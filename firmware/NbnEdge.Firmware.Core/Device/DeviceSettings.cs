using NbnEdge.Firmware.Sweep;

namespace NbnEdge.Firmware.Device
{
    /// <summary>
    /// Acquisition settings a CONFIG command may change. Parsing validates every line before any
    /// value is applied, so a bad CONFIG leaves the settings as they were.
    /// </summary>
    public sealed class DeviceSettings
    {
        /// <summary>Sweep directions sent: forward only.</summary>
        public const int SweepForward = 1;
        /// <summary>Sweep directions sent: backward only.</summary>
        public const int SweepBackward = 2;
        /// <summary>Sweep directions sent: both.</summary>
        public const int SweepBoth = 3;

        /// <summary>Points per spectrum; 0 takes whole sweeps of any length.</summary>
        public int Points = 201;
        /// <summary>Settling time dropped after each bias step, in ms.</summary>
        public int SettleMs = 5;
        /// <summary>Most samples averaged per point; 0 averages the whole plateau.</summary>
        public int Average;
        /// <summary>Bias change in codes that starts a new point.</summary>
        public int StepCodes = 1000;
        /// <summary>Which sweep directions are sent (<see cref="SweepForward"/>, <see cref="SweepBackward"/>, <see cref="SweepBoth"/>).</summary>
        public int Sweep = SweepBoth;

        /// <summary>The HELLO word for <see cref="Sweep"/>.</summary>
        public string SweepName
        {
            get { return Sweep == SweepForward ? "fwd" : (Sweep == SweepBackward ? "bwd" : "both"); }
        }

        /// <summary>Copies every setting from <paramref name="other"/>.</summary>
        public void CopyFrom(DeviceSettings other)
        {
            Points = other.Points;
            SettleMs = other.SettleMs;
            Average = other.Average;
            StepCodes = other.StepCodes;
            Sweep = other.Sweep;
        }

        /// <summary>Applies the settings to an assembler converting ms to samples at <paramref name="sampleRateHz"/>.</summary>
        public void ApplyTo(SweepAssembler assembler, int sampleRateHz)
        {
            assembler.PointsPerSpectrum = Points;
            assembler.SettleSamples = (int)((long)SettleMs * sampleRateHz / 1000);
            assembler.MaxAveragedSamples = Average;
            assembler.StepThresholdCodes = StepCodes;
        }

        /// <summary>
        /// Parses CONFIG text (key=value lines; blank lines and surrounding spaces ignored) into this
        /// object. Returns null on success, or the offending line. <paramref name="maxPoints"/> bounds <see cref="Points"/>.
        /// </summary>
        public string Parse(string text, int maxPoints)
        {
            DeviceSettings parsed = new DeviceSettings();
            parsed.CopyFrom(this);
            string[] lines = text.Split(new char[] { '\n' });
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                int eq = line.IndexOf('=');
                if (eq <= 0)
                {
                    return line;
                }

                string key = line.Substring(0, eq).Trim();
                string value = line.Substring(eq + 1).Trim();
                int number;
                if (key == "sweep")
                {
                    if (value == "fwd")
                    {
                        parsed.Sweep = SweepForward;
                    }
                    else if (value == "bwd")
                    {
                        parsed.Sweep = SweepBackward;
                    }
                    else if (value == "both")
                    {
                        parsed.Sweep = SweepBoth;
                    }
                    else
                    {
                        return line;
                    }
                }
                else if (!int.TryParse(value, out number) || number < 0)
                {
                    return line;
                }
                else if (key == "points" && (number == 0 || (number >= 2 && number <= maxPoints)))
                {
                    parsed.Points = number;
                }
                else if (key == "settle_ms" && number <= 10000)
                {
                    parsed.SettleMs = number;
                }
                else if (key == "average" && number <= 1000000)
                {
                    parsed.Average = number;
                }
                else if (key == "step_codes" && number > 0)
                {
                    parsed.StepCodes = number;
                }
                else
                {
                    return line;
                }
            }

            CopyFrom(parsed);
            return null;
        }
    }
}
