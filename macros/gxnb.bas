Attribute VB_Name = "gxnb"
' gxnb-xl: the buttons on the cover sheet (Microsoft Excel on Windows/macOS only).
'
'   GxnbCheck   button "check"          -> gxnb_xl.excel_buttons.check()
'   GxnbRender  button "Word report"    -> gxnb_xl.excel_buttons.render()
'   GxnbExport  button "export JSON"    -> gxnb_xl.excel_buttons.export()
'
' Each button saves the workbook, makes sure Python and the gxnb-xl package can be started,
' then calls Python through xlwings' open-source RunPython (the standalone VBA module
' "xlwings" in this project; no add-in, no licence key). The Python side works on the saved
' file, exactly like the command line "gxnb check".
'
' This file is ASCII only, so it reads the same whatever the Windows code page: the Chinese
' messages are written as \uXXXX escapes and decoded by Zh() at run time.
' Source of truth: macros/gxnb.bas in the gxnb-xl repository; the vbaProject.bin inside the
' workbook is built from it by scripts/build_vba.py (see macros/README.md).
Option Explicit

Private Const PY_MODULE As String = "gxnb_xl.excel_buttons"
Private Const STRUCTURE As String = "#structure"

Public Sub GxnbCheck()
    RunGxnb "check", True
End Sub

Public Sub GxnbRender()
    RunGxnb "render", False
End Sub

Public Sub GxnbExport()
    RunGxnb "export", False
End Sub

Private Sub RunGxnb(ByVal action As String, ByVal writes As Boolean)
    Dim unprotected As Collection
    If ThisWorkbook.Path = "" Then
        ' "Please save the workbook first (File > Save As, type: Excel macro-enabled workbook .xlsm)."
        MsgBox Zh("\u8BF7\u5148\u4FDD\u5B58\u5DE5\u4F5C\u7C3F\uFF08\u6587\u4EF6 > \u53E6\u5B58\u4E3A\uFF0C" & _
                  "\u7C7B\u578B\u9009\u201C\u542F\u7528\u5B8F\u7684\u5DE5\u4F5C\u7C3F .xlsm\u201D\uFF09\u3002"), _
               vbExclamation, Title()
        Exit Sub
    End If
    If Not PythonReady() Then Exit Sub
    On Error GoTo Failed
    ThisWorkbook.Save
    If writes Then Set unprotected = UnprotectForWriting()
    Application.StatusBar = Zh("gxnb\uFF1A\u6B63\u5728\u5904\u7406\u2026")  ' "gxnb: working..."
    RunPython "import " & PY_MODULE & " as gxnb_buttons; gxnb_buttons." & action & "()"
    Application.StatusBar = False
    If writes Then Reprotect unprotected
    Exit Sub
Failed:
    Application.StatusBar = False
    If writes Then Reprotect unprotected
    ' "The operation did not finish: "
    MsgBox Zh("\u64CD\u4F5C\u672A\u5B8C\u6210\uFF1A") & Err.Description, vbCritical, Title()
End Sub

' True when Python, xlwings and gxnb-xl can be imported; otherwise a message box, never a VBA error.
' cmd.exe /C "...": the outer quotes keep a quoted interpreter path intact.
Private Function PythonReady() As Boolean
    #If Mac Then
        ' On macOS xlwings runs Python through its AppleScript helper, which shows its own message
        ' when it is not installed ("xlwings runpython install").
        PythonReady = True
    #Else
        Dim interpreter As String, code As Long
        On Error Resume Next
        interpreter = GetConfig("INTERPRETER_WIN", "")
        If interpreter = "" Then interpreter = GetConfig("INTERPRETER", "python")
        If Err.Number <> 0 Or interpreter = "" Then interpreter = "python"
        Err.Clear
        If interpreter <> "python" And interpreter <> "pythonw" Then interpreter = Chr(34) & interpreter & Chr(34)
        code = CreateObject("WScript.Shell").Run("cmd.exe /C """ & interpreter & " -c ""import sys""""", 0, True)
        If Err.Number <> 0 Or code <> 0 Then
            ' "Python was not found on this computer. ... install Python 3.10+ (tick Add python.exe to PATH),
            '  then run: pip install "gxnb-xl[excel]". See the instructions next to the template.
            '  WPS users: use the .xlsx template and the check sheet instead."
            MsgBox Zh("\u672A\u627E\u5230 Python\uFF0C\u6309\u94AE\u65E0\u6CD5\u4F7F\u7528\u3002") & vbCrLf & vbCrLf & _
                   Zh("\u8BF7\u5B89\u88C5 Python 3.10 \u6216\u66F4\u9AD8\u7248\u672C\uFF08\u5B89\u88C5\u65F6\u52FE\u9009" & _
                      "\u201CAdd python.exe to PATH\u201D\uFF09\uFF0C\u7136\u540E\u5728\u547D\u4EE4\u63D0\u793A\u7B26\u4E2D\u8FD0\u884C\uFF1A") & _
                   vbCrLf & "    pip install ""gxnb-xl[excel]""" & vbCrLf & vbCrLf & _
                   Zh("\u4E0D\u7528\u6309\u94AE\u4E5F\u53EF\u4EE5\uFF1A\u201C\u6821\u9A8C\u201D\u5DE5\u4F5C\u8868\u5DF2\u663E\u793A" & _
                      "\u6BCF\u6761\u52FE\u7A3D\u5173\u7CFB\u662F\u5426\u6B63\u786E\u3002"), vbExclamation, Title()
            PythonReady = False
            Exit Function
        End If
        code = CreateObject("WScript.Shell").Run("cmd.exe /C """ & interpreter & " -c ""import xlwings, " & PY_MODULE & """""", 0, True)
        If Err.Number <> 0 Or code <> 0 Then
            ' "Python is installed but gxnb-xl (or xlwings) is missing. Run: pip install "gxnb-xl[excel]""
            MsgBox Zh("\u5DF2\u627E\u5230 Python\uFF0C\u4F46\u672A\u5B89\u88C5 gxnb-xl \u6216 xlwings\u3002" & _
                      "\u8BF7\u5728\u547D\u4EE4\u63D0\u793A\u7B26\u4E2D\u8FD0\u884C\uFF1A") & vbCrLf & _
                   "    pip install ""gxnb-xl[excel]""", vbExclamation, Title()
            PythonReady = False
            Exit Function
        End If
        PythonReady = True
    #End If
End Function

' Sheets protected without a password are unprotected while Python writes the review sheet and
' colours cells, and protected again afterwards. Sheets with a password stay protected (Python
' then reports that it could not colour them).
Private Function UnprotectForWriting() As Collection
    Dim done As New Collection, ws As Worksheet
    On Error Resume Next
    If ThisWorkbook.ProtectStructure Then
        ThisWorkbook.Unprotect ""
        If Not ThisWorkbook.ProtectStructure Then done.Add STRUCTURE
    End If
    For Each ws In ThisWorkbook.Worksheets
        If ws.ProtectContents Then
            ws.Unprotect ""
            If Not ws.ProtectContents Then done.Add ws.Name
        End If
    Next ws
    Err.Clear
    Set UnprotectForWriting = done
End Function

Private Sub Reprotect(ByVal done As Collection)
    Dim item As Variant
    If done Is Nothing Then Exit Sub
    On Error Resume Next
    For Each item In done
        If item = STRUCTURE Then
            ThisWorkbook.Protect Password:="", Structure:=True, Windows:=False
        Else
            ThisWorkbook.Worksheets(item).Protect Password:="", DrawingObjects:=True, Contents:=True, _
                Scenarios:=True, AllowFormattingColumns:=True, AllowFormattingRows:=True
        End If
    Next item
    Err.Clear
End Sub

Private Function Title() As String
    Title = Zh("gxnb \u653F\u5E9C\u4FE1\u606F\u516C\u5F00\u5E74\u62A5")  ' "gxnb annual report"
End Function

' Decode \uXXXX escapes (keeps this file ASCII-only and independent of the code page).
Private Function Zh(ByVal s As String) As String
    Dim i As Long, j As Long, code As Long, out As String
    i = 1
    Do While i <= Len(s)
        If Mid$(s, i, 2) = "\u" And i + 5 <= Len(s) Then
            code = 0
            For j = 0 To 3
                code = code * 16 + InStr(1, "0123456789ABCDEF", UCase$(Mid$(s, i + 2 + j, 1))) - 1
            Next j
            out = out & ChrW(code)
            i = i + 6
        Else
            out = out & Mid$(s, i, 1)
            i = i + 1
        End If
    Loop
    Zh = out
End Function
