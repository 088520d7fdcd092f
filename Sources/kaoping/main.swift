import Kaoping
print("kaoping")
