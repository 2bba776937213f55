#!/usr/bin/env pwsh
# Build entry point. Run through the local tool manifest: `dotnet tool restore`, then
#   dotnet pwsh ./build.ps1 <target> [-Configuration Release] [-- extra args]
# Targets: build, test, bench, bench-peers, demo.
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'bench', 'bench-peers', 'demo')]
    [string]$Target = 'build',
    [string]$Configuration = 'Debug',
    [Parameter(ValueFromRemainingArguments = $true)]
    [string[]]$Rest = @()
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$solution = 'Lfm2Vl.Engine.sln'

function Invoke-Step([string]$what, [scriptblock]$step) {
    Write-Host "==> $what"
    & $step
    if ($LASTEXITCODE -ne 0) { throw "$what failed with exit code $LASTEXITCODE" }
}

switch ($Target) {
    'build' { Invoke-Step 'build' { dotnet build $solution -c $Configuration } }
    'test' { Invoke-Step 'test' { dotnet test $solution -c $Configuration @Rest } }
    'bench' {
        # Benchmarks always run optimized. No arguments: every suite (kernels and models) with the default job;
        # otherwise BenchmarkDotNet arguments, e.g. --filter '*Gemm*', plus --quick or --table (benchmarks/README.md).
        # (No default '--filter *': PowerShell would expand the * into the file names of this folder.)
        Invoke-Step 'bench' { dotnet run -c Release --project benchmarks/Lfm2Vl.Benchmarks -- @Rest }
    }
    'bench-peers' {
        # Ours (--table) then PyTorch 1.13 in one run, joined into one markdown table; needs Debian's python3-torch.
        Invoke-Step 'bench-peers' { bash benchmarks/peers/run.sh @Rest }
    }
    'demo' { Invoke-Step 'demo' { dotnet run -c Release --project src/Lfm2Vl.Cli -- demo @Rest } }
}
