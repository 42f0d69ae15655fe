using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NbnEdge.Firmware.Boards;

namespace NbnEdge.Firmware.Tests
{
    /// <summary>boards/*/board.json and the firmware's C# board constants must say the same thing.</summary>
    [TestClass]
    public class BoardFileTests
    {
        private static string RepoRoot()
        {
            string dir = AppContext.BaseDirectory;
            while (dir != null && !File.Exists(Path.Combine(dir, "NbnEdge.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            Assert.IsNotNull(dir, "NbnEdge.sln not found");
            return dir;
        }

        private static IEnumerable<string> BoardFiles() =>
            Directory.GetDirectories(Path.Combine(RepoRoot(), "boards"))
                .Select(d => Path.Combine(d, "board.json"))
                .Where(File.Exists)
                .OrderBy(p => p, StringComparer.Ordinal);

        [TestMethod]
        public void EveryBoardFileHasItsCSharpTwinAndViceVersa()
        {
            var fileIds = BoardFiles().Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("id").GetString()).ToList();
            var codeIds = BoardDefinitions.All().Select(b => b.Id).ToList();
            Assert.IsTrue(fileIds.Count >= 2, "at least the ESP32 and ESP32-S3 boards");
            CollectionAssert.AreEquivalent(codeIds, fileIds);
            foreach (string file in BoardFiles())
            {
                Assert.AreEqual(Path.GetFileName(Path.GetDirectoryName(file)), JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("id").GetString(), "folder name is the id");
                Assert.IsTrue(File.Exists(Path.Combine(Path.GetDirectoryName(file), "README.md")), "wiring page for " + file);
            }
        }

        [TestMethod]
        public void BoardFilesAgreeWithTheFirmwareConstants()
        {
            foreach (string file in BoardFiles())
            {
                JsonElement j = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
                BoardDefinition b = BoardDefinitions.Find(j.GetProperty("id").GetString());
                Assert.IsNotNull(b, file);
                string at = " in " + file;
                Assert.AreEqual(b.Mcu, j.GetProperty("mcu").GetString(), "mcu" + at);
                JsonElement spi = j.GetProperty("spi");
                Assert.AreEqual(b.SpiBusId, spi.GetProperty("bus").GetInt32(), "spi bus" + at);
                Assert.AreEqual(b.PinMosi, spi.GetProperty("mosi").GetInt32(), "mosi" + at);
                Assert.AreEqual(b.PinMiso, spi.GetProperty("miso").GetInt32(), "miso" + at);
                Assert.AreEqual(b.PinSck, spi.GetProperty("sck").GetInt32(), "sck" + at);
                Assert.AreEqual(b.PinCs, spi.GetProperty("cs").GetInt32(), "cs" + at);
                Assert.AreEqual(1, spi.GetProperty("mode").GetInt32(), "the ADS131M04 talks SPI mode 1" + at);
                JsonElement pins = j.GetProperty("adc_pins");
                Assert.AreEqual(b.PinDrdy, pins.GetProperty("drdy").GetInt32(), "drdy" + at);
                Assert.AreEqual(b.PinSyncReset, pins.GetProperty("sync_reset").GetInt32(), "sync_reset" + at);
                JsonElement clkin = pins.GetProperty("clkin");
                Assert.AreEqual(b.PinClkIn, clkin.ValueKind == JsonValueKind.Null ? -1 : clkin.GetInt32(), "clkin" + at);
                JsonElement uart = j.GetProperty("uart");
                Assert.AreEqual("COM2", uart.GetProperty("port").GetString(), "COM1 is the debugger's" + at);
                Assert.AreEqual(b.PinUartTx, uart.GetProperty("tx").GetInt32(), "uart tx" + at);
                Assert.AreEqual(b.PinUartRx, uart.GetProperty("rx").GetInt32(), "uart rx" + at);
                Assert.AreEqual(b.UartBaud, uart.GetProperty("baud").GetInt32(), "baud" + at);
                Assert.AreEqual(b.AdcClockHz, j.GetProperty("adc_clock_hz").GetInt32(), "adc clock" + at);
                Assert.AreEqual(b.Osr, j.GetProperty("osr").GetInt32(), "osr" + at);
                Assert.AreEqual(b.SampleRateHz, j.GetProperty("sample_rate_hz").GetInt32(), "sample rate" + at);

                JsonElement bias = j.GetProperty("channels").GetProperty("0");
                JsonElement signal = j.GetProperty("channels").GetProperty("1");
                Assert.AreEqual("bias_monitor", bias.GetProperty("role").GetString());
                Assert.AreEqual("lockin_x", signal.GetProperty("role").GetString());
                Assert.AreEqual(b.GainBias, bias.GetProperty("pga_gain").GetInt32(), "bias gain" + at);
                Assert.AreEqual(b.GainSignal, signal.GetProperty("pga_gain").GetInt32(), "signal gain" + at);
                Assert.AreEqual(b.FrontEndAttenuation, bias.GetProperty("front_end_attenuation").GetInt32(), at);
                Assert.AreEqual(b.BiasMonitorRatio, bias.GetProperty("bias_monitor_ratio").GetInt32(), at);

                // Exact decimals: the file, the C# text HELLO sends, and the physics must all agree.
                decimal adcUvPerLsb = 1200000m / 8388608m;
                decimal connectorBias = adcUvPerLsb * b.FrontEndAttenuation / b.GainBias;
                decimal connectorSignal = adcUvPerLsb * b.FrontEndAttenuation / b.GainSignal;
                decimal junction = connectorBias / b.BiasMonitorRatio;
                Assert.AreEqual(connectorBias, bias.GetProperty("uV_per_lsb").GetDecimal(), "bias uV_per_lsb" + at);
                Assert.AreEqual(junction, bias.GetProperty("bias_uV_per_lsb").GetDecimal(), "bias_uV_per_lsb" + at);
                Assert.AreEqual(connectorSignal, signal.GetProperty("uV_per_lsb").GetDecimal(), "signal uV_per_lsb" + at);
                Assert.AreEqual(connectorBias, decimal.Parse(b.BiasMonitorUvPerLsb, System.Globalization.CultureInfo.InvariantCulture), at);
                Assert.AreEqual(junction, decimal.Parse(b.BiasUvPerLsb, System.Globalization.CultureInfo.InvariantCulture), at);
                Assert.AreEqual(connectorSignal, decimal.Parse(b.SignalUvPerLsb, System.Globalization.CultureInfo.InvariantCulture), at);
                // ±10 V at the connector must stay inside the ADC's ±1.2 V.
                Assert.IsTrue(10m / b.FrontEndAttenuation * b.GainBias < 1.2m, "bias channel headroom" + at);
                Assert.IsTrue(10m / b.FrontEndAttenuation * b.GainSignal < 1.2m, "signal channel headroom" + at);
            }
        }

        [TestMethod]
        public void ProjitemsListEveryFirmwareAndTestSource()
        {
            string root = RepoRoot();
            Check(Path.Combine(root, "firmware", "NbnEdge.Firmware.Core"), "NbnEdge.Firmware.Core.projitems");
            Check(Path.Combine(root, "tests", "NbnEdge.Firmware.Tests.Shared"), "NbnEdge.Firmware.Tests.Shared.projitems");

            static void Check(string dir, string projitems)
            {
                var listed = XDocument.Load(Path.Combine(dir, projitems)).Descendants()
                    .Where(e => e.Name.LocalName == "Compile")
                    .Select(e => e.Attribute("Include").Value.Replace("$(MSBuildThisFileDirectory)", "").Replace('\\', '/'))
                    .OrderBy(s => s, StringComparer.Ordinal).ToList();
                var present = Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories)
                    .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/'))
                    .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
                    .OrderBy(s => s, StringComparer.Ordinal).ToList();
                CollectionAssert.AreEqual(present, listed, projitems + " must list every source (the nanoFramework build sees only those)");
            }
        }
    }
}
