// placeholder until the e1000 model lands
