from gxnb_xl.office import fonts_conf


def test_fonts_conf_ships_with_the_package():
    path = fonts_conf()
    assert path is not None and path.is_file()
    assert "仿宋_GB2312" in path.read_text(encoding="utf-8")
