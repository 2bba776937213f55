namespace Lfm2Vl.Training;
