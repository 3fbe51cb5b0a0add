import VigilCLI
