// The local executor is Linux's (bubblewrap, /proc, POSIX file modes); so are its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
