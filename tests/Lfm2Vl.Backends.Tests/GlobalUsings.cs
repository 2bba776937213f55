global using Lfm2Vl.Engine;
global using Xunit;
