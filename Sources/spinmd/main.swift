print("spinmd")
