using System;
using nanoFramework.Runtime.Native;
using NbnEdge.Firmware.Device;

namespace NbnEdge.Firmware.Hardware
{
    /// <summary>Uptime, free heap and reboot on nanoFramework.</summary>
    public sealed class Esp32Platform : IPlatform
    {
        /// <inheritdoc />
        public long UptimeMs
        {
            get { return Environment.TickCount64; }
        }

        /// <inheritdoc />
        public uint FreeHeapBytes
        {
            // Run(false) collects without compacting and returns the free managed heap; once a second is cheap.
            get { return nanoFramework.Runtime.Native.GC.Run(false); }
        }

        /// <inheritdoc />
        public void Reboot()
        {
            Power.RebootDevice();
        }
    }
}
