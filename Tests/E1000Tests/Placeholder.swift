// placeholder until the e1000 driver lands
