using System.Reflection;
using System.Runtime.InteropServices;

[assembly: AssemblyTitle("NbnEdge.Firmware")]
[assembly: AssemblyDescription("NbnEdge STM spectroscopy front end firmware (ESP32 + ADS131M04)")]
[assembly: AssemblyProduct("NbnEdge")]
[assembly: ComVisible(false)]
[assembly: AssemblyVersion("0.1.0.0")]
[assembly: AssemblyFileVersion("0.1.0.0")]
