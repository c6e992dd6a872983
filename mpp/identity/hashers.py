"""Client secrets are long random strings made by us (not passwords people choose): one
salted PBKDF2 round is as strong as a million, and keeps the token endpoint fast (a
million rounds cost ~0.3 s of CPU per token request). docs/decisions/0038."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class ClientSecretHasher(PBKDF2PasswordHasher):
    algorithm = "client_secret_pbkdf2_sha256"
    iterations = 1
