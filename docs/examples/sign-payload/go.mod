module meterline.example/sign-payload

go 1.19
