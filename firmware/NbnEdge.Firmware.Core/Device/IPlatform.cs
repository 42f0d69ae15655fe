namespace NbnEdge.Firmware.Device
{
    /// <summary>The few facts and actions of the running system the device logic needs.</summary>
    public interface IPlatform
    {
        /// <summary>Milliseconds since boot.</summary>
        long UptimeMs { get; }

        /// <summary>Free managed heap in bytes (0 if unknown).</summary>
        uint FreeHeapBytes { get; }

        /// <summary>Last resort when the converter cannot be brought back: restart the whole board.</summary>
        void Reboot();
    }
}
