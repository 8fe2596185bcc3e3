from arena_core.cli.main import main

main()
