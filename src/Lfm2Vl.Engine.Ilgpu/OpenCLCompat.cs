using System.Reflection;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;

namespace Lfm2Vl.Engine.Ilgpu;

/// <summary>
/// Lets ILGPU run on OpenCL devices that lack the generic address space (PoCL, the CPU OpenCL of CI). ILGPU
/// refuses such devices, and its generated C declares every view pointer <c>__generic</c>, which their
/// compilers reject. On these devices every view ILGPU emits points to global memory (shared memory gets its
/// own <c>local</c> pointer types), so the pointer typedefs are rewritten to <c>global</c> and the program is
/// built as OpenCL C 2.0 (for <c>work_group_barrier</c>). A kernel that really needs generic pointers then
/// fails to build, with the compiler's log in the <see cref="KernelCompilationException"/>.
/// This is opt-in: set <see cref="EnvVar"/>=1 or <see cref="IlgpuRuntime.AllowOpenCLWithoutGenericAddressSpace"/>.
/// </summary>
internal static class OpenCLCompat
{
    public const string EnvVar = "LFM2VL_OPENCL_NO_GENERIC";

    private static readonly PropertyInfo GenericAddressSpace =
        typeof(CLCapabilityContext).GetProperty(nameof(CLCapabilityContext.GenericAddressSpace))!;
    private static readonly FieldInfo SourceField =
        typeof(CLCompiledKernel).GetField("<Source>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic)!;
    private static readonly FieldInfo VersionField =
        typeof(CLCompiledKernel).GetField("<CVersion>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic)!;
    private static readonly MethodInfo? BuildProgram =
        typeof(CLKernel).GetMethod("LoadKernel", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);

    /// <summary>Marks the device as supporting generic pointers so ILGPU will create an accelerator for it.</summary>
    public static void Admit(CLDevice device) => GenericAddressSpace.SetValue(device.Capabilities, true);

    public static string Patch(string source) => source.Replace("typedef __generic ", "typedef global ", StringComparison.Ordinal);

    /// <summary>Compiles an explicitly grouped kernel, patching its source when asked, and loads it.</summary>
    public static Kernel Load(CLAccelerator accelerator, MethodInfo method, bool patch, string name)
    {
        var entry = EntryPointDescription.FromExplicitlyGroupedKernel(method);
        var compiled = (CLCompiledKernel)accelerator.Backend.Compile(entry, KernelSpecialization.Empty);
        if (patch)
        {
            SourceField.SetValue(compiled, Patch(compiled.Source));
            VersionField.SetValue(compiled, CLCVersion.CL20);
        }
        try
        {
            return accelerator.LoadKernel(compiled);
        }
        catch (CLException e)
        {
            throw new KernelCompilationException(name, accelerator, $"{e.Error}. Build log:\n{BuildLog(accelerator, compiled)}", e);
        }
    }

    /// <summary>Builds the program again only to read the compiler's log (ILGPU's exception does not carry it).</summary>
    private static string BuildLog(CLAccelerator accelerator, CLCompiledKernel compiled)
    {
        if (BuildProgram is null) return "(build log unavailable)";
        try
        {
            var args = new object?[] { accelerator, compiled.Name, compiled.Source, compiled.CVersion, IntPtr.Zero, IntPtr.Zero, null };
            BuildProgram.Invoke(null, args);
            return (args[6] as string)?.Trim() is { Length: > 0 } log ? log : "(empty build log)";
        }
        catch (Exception e)
        {
            return $"(build log unavailable: {e.GetBaseException().Message})";
        }
    }
}
