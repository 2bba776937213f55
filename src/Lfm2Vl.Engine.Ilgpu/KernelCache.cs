using System.Collections.Concurrent;
using System.Reflection;
using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;

namespace Lfm2Vl.Engine.Ilgpu;

/// <summary>
/// Compiles each kernel instantiation once per accelerator, on first use, and keeps its launcher. A kernel
/// that fails to compile is remembered too, so later calls fail at once with the same message.
/// </summary>
internal sealed class KernelCache(Accelerator accelerator, bool patchOpenCL)
{
    private readonly ConcurrentDictionary<MethodInfo, Lazy<Delegate>> _kernels = new();
    private int _compiled;

    /// <summary>Number of kernels compiled so far (flat once every kernel a workload uses is loaded).</summary>
    public int Compiled => Volatile.Read(ref _compiled);

    /// <summary>The launcher (stream, config, arguments...) of an explicitly grouped kernel method.</summary>
    public TLauncher Get<TLauncher>(Delegate kernel) where TLauncher : Delegate
    {
        var method = kernel.Method;
        var lazy = _kernels.GetOrAdd(method, m => new Lazy<Delegate>(() => Load<TLauncher>(m), LazyThreadSafetyMode.ExecutionAndPublication));
        return (TLauncher)lazy.Value;
    }

    public static string NameOf(MethodInfo m)
    {
        var args = m.IsGenericMethod ? "<" + string.Join(", ", m.GetGenericArguments().Select(t => t.Name)) + ">" : "";
        return $"{m.DeclaringType?.Name}.{m.Name}{args}";
    }

    private TLauncher Load<TLauncher>(MethodInfo method) where TLauncher : Delegate
    {
        string name = NameOf(method);
        try
        {
            accelerator.Bind(); // loading a CUDA module needs the accelerator's context current on this thread
            var kernel = accelerator is CLAccelerator cl
                ? OpenCLCompat.Load(cl, method, patchOpenCL, name)
                : accelerator.LoadKernel(method);
            var launcher = kernel.CreateLauncherDelegate<TLauncher>();
            Interlocked.Increment(ref _compiled);
            return launcher;
        }
        catch (KernelCompilationException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new KernelCompilationException(name, accelerator, e.GetBaseException().Message, e);
        }
    }
}
