module cascade/launcher

go 1.19
