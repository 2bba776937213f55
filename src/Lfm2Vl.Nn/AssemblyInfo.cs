namespace Lfm2Vl.Nn;
