using System.Text.Json.Serialization;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Inference.Aot;

/// <summary>Source-generated JSON for the checkpoint metadata (NativeAOT has no reflection-based serializer).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ModelConfig))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(float[]))]
internal sealed partial class AotJson : JsonSerializerContext;
