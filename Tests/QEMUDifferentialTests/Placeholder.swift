// placeholder until the differential tests land
