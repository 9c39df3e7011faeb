// One module per stored series; each owns both halves of its layout (value → point, row → value).
