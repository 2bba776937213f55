namespace Lfm2Vl.Vision;
