# host/
