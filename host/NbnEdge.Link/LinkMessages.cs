namespace NbnEdge.Link;

/// <summary>An ESTIMATE as received (the firmware's fixed-point units), with where it came from.</summary>
/// <param name="SpectrumId">the spectrum it estimates</param>
/// <param name="DeviceEpoch">device life it arrived in</param>
/// <param name="Seq">seq of the frame</param>
/// <param name="DeltaUeV">gap in µeV</param>
/// <param name="TEffMk">effective temperature in mK (0: not estimated)</param>
/// <param name="BiasOffsetUv">bias at the gap's centre in µV</param>
/// <param name="Quality">0 (useless) to 1000 (clean)</param>
/// <param name="Valid">the estimator produced a usable value</param>
public sealed record EstimateInfo(uint SpectrumId, int DeviceEpoch, uint Seq, int DeltaUeV, int TEffMk, int BiasOffsetUv, int Quality, bool Valid)
{
    /// <summary>Gap in meV.</summary>
    public double DeltaMeV => DeltaUeV / 1000.0;
}

/// <summary>A STATUS as received: the device's counters.</summary>
/// <param name="DeviceEpoch">device life it arrived in</param>
/// <param name="Seq">seq of the frame</param>
/// <param name="UptimeMs">ms since boot</param>
/// <param name="SpectraDone">spectra completed by the device</param>
/// <param name="Samples">ADC samples with a good CRC</param>
/// <param name="Overranges">samples at full scale</param>
/// <param name="AdcCrcErrors">ADC frames with a bad CRC-16</param>
/// <param name="DrdyTimeouts">DRDY waits that timed out</param>
/// <param name="TxDroppedFrames">frames the device's transmit queue dropped</param>
/// <param name="FreeHeapBytes">free managed heap in bytes</param>
/// <param name="SpectraDropped">finished sweeps the device dropped because its spectrum worker was busy (0 from firmware that does not send it)</param>
public sealed record StatusInfo(int DeviceEpoch, uint Seq, uint UptimeMs, uint SpectraDone, uint Samples, uint Overranges,
    uint AdcCrcErrors, uint DrdyTimeouts, uint TxDroppedFrames, uint FreeHeapBytes, uint SpectraDropped = 0);

/// <summary>A LOG line from the device.</summary>
/// <param name="DeviceEpoch">device life it arrived in</param>
/// <param name="Seq">seq of the frame</param>
/// <param name="Text">the text</param>
public sealed record LogInfo(int DeviceEpoch, uint Seq, string Text);

/// <summary>An ACK: the device's answer to a command.</summary>
/// <param name="DeviceEpoch">device life it arrived in</param>
/// <param name="Seq">seq of the ACK frame itself</param>
/// <param name="CommandSeq">seq of the command it answers (the host's counter)</param>
/// <param name="Status">0 ok, 1 bad CONFIG, 2 failed</param>
/// <param name="Detail">the detail text</param>
public sealed record AckInfo(int DeviceEpoch, uint Seq, uint CommandSeq, int Status, string Detail)
{
    /// <summary>Whether the command was carried out.</summary>
    public bool Ok => Status == 0;
}

/// <summary>A reboot the receiver noticed (HELLO with seq restarting, or seq going backwards).</summary>
/// <param name="NewEpoch">the device epoch that starts</param>
/// <param name="Announced">true when a HELLO with seq 0 announced it; false when only the seq going back showed it</param>
/// <param name="FirstSeq">seq of the first frame of the new epoch</param>
public sealed record RebootInfo(int NewEpoch, bool Announced, uint FirstSeq);
