using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Lfm2Vl.Server.Tests;

/// <summary>
/// The page at / in headless Chromium (Debian's chromium, installed by scripts/install-deps.sh), driven through the
/// DevTools protocol: it loads the model description, takes an image through its file input and shows the same top
/// class and probability as the API.
/// </summary>
public class WebPageTests
{
    private const string ChromiumPath = "/usr/bin/chromium";

    [SkippableFact]
    public async Task PageShowsThePredictionForAChosenImage()
    {
        Skip.IfNot(File.Exists(ChromiumPath), "Chromium is not installed (scripts/install-deps.sh installs it).");
        await using var s = await RunningServer.StartAsync();
        var image = Path.Combine(Path.GetTempPath(), $"lfm2vl-page-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(image, TestModel.Encoded(3));
        using var api = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(image)) { Headers = { ContentType = new("image/png") } }, "image", "x.png" } };
        var expected = await (await s.Client.PostAsync("/predict", api)).Content.ReadFromJsonAsync<JsonObject>();
        string expectedClass = expected!["predictions"]![0]!["className"]!.GetValue<string>();
        string expectedProbability = (100 * expected["predictions"]![0]!["probability"]!.GetValue<double>()).ToString("F1") + " %";

        var profile = Directory.CreateTempSubdirectory("lfm2vl-chromium-");
        using var chromium = Process.Start(new ProcessStartInfo(ChromiumPath,
            ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--remote-debugging-port=0", $"--user-data-dir={profile.FullName}", "about:blank"])
        { RedirectStandardError = true, RedirectStandardOutput = true })!;
        try
        {
            using var devtools = await DevTools.ConnectAsync(profile.FullName);
            await devtools.Send("Page.navigate", new JsonObject { ["url"] = s.Client.BaseAddress!.ToString() });
            Assert.StartsWith("lfm2_vl", await devtools.WaitFor("document.getElementById('model').textContent", v => v.StartsWith("lfm2_vl")));

            var root = await devtools.Send("DOM.getDocument", new JsonObject());
            var input = await devtools.Send("DOM.querySelector", new JsonObject { ["nodeId"] = root["root"]!["nodeId"]!.GetValue<int>(), ["selector"] = "#file" });
            await devtools.Send("DOM.setFileInputFiles", new JsonObject { ["files"] = new JsonArray(image), ["nodeId"] = input["nodeId"]!.GetValue<int>() });

            var firstRow = await devtools.WaitFor(
                "(() => { const r = document.querySelectorAll('#classes tr'); return r.length > 1 ? r[1].cells[0].textContent + '|' + r[1].cells[1].textContent : ''; })()",
                v => v.Length > 0);
            Assert.Equal($"{expectedClass}|{expectedProbability}", firstRow);
            Assert.Equal("48", await devtools.WaitFor("String(document.getElementById('canvas').width)", v => v != "0"));
            Assert.Equal("", await devtools.WaitFor("document.getElementById('error').textContent", _ => true));
        }
        finally
        {
            try { chromium.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await chromium.WaitForExitAsync();
            File.Delete(image);
            try { profile.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A minimal DevTools-protocol client over the page target's WebSocket.</summary>
    private sealed class DevTools : IDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private int _id;

        public static async Task<DevTools> ConnectAsync(string profile)
        {
            var portFile = Path.Combine(profile, "DevToolsActivePort");
            for (int i = 0; i < 300 && !File.Exists(portFile); i++) await Task.Delay(100);
            var port = File.ReadAllLines(portFile)[0];
            using var http = new HttpClient();
            JsonArray targets = [];
            for (int i = 0; i < 100 && !targets.Any(t => t!["type"]!.GetValue<string>() == "page"); i++)
            {
                targets = (await http.GetFromJsonAsync<JsonArray>($"http://127.0.0.1:{port}/json/list"))!;
                if (!targets.Any(t => t!["type"]!.GetValue<string>() == "page")) await Task.Delay(100);
            }
            var page = targets.First(t => t!["type"]!.GetValue<string>() == "page")!;
            var d = new DevTools();
            await d._socket.ConnectAsync(new Uri(page["webSocketDebuggerUrl"]!.GetValue<string>()), CancellationToken.None);
            return d;
        }

        public async Task<JsonObject> Send(string method, JsonObject parameters)
        {
            int id = ++_id;
            var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[1 << 20];
            while (true)
            {
                using var ms = new MemoryStream();
                WebSocketReceiveResult r;
                do { r = await _socket.ReceiveAsync(buffer, CancellationToken.None); ms.Write(buffer, 0, r.Count); } while (!r.EndOfMessage);
                var reply = JsonNode.Parse(ms.ToArray())!.AsObject();
                if (reply["id"]?.GetValue<int>() != id) continue; // an event
                if (reply["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
                return reply["result"]!.AsObject();
            }
        }

        /// <summary>Evaluates a JS expression until its string value satisfies the condition (30 s at most).</summary>
        public async Task<string> WaitFor(string expression, Func<string, bool> done)
        {
            string value = "";
            for (int i = 0; i < 300; i++)
            {
                var r = await Send("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true });
                value = r["result"]?["value"]?.ToString() ?? "";
                if (done(value)) return value;
                await Task.Delay(100);
            }
            return value;
        }

        public void Dispose() => _socket.Dispose();
    }
}
