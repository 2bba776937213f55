Console.WriteLine("lfm2vl: under construction");
