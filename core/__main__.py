from core.entry import main

main()
